/**
 * The JSON document model of the TF Serving REST codec: what rapidjson's DOM keeps and
 * `JSON.parse` loses — member order, duplicate keys, and the integer/double distinction
 * (TF Serving's `IsInt()` checks depend on it).
 */
export type JsonValue =
  JsonNull | JsonBool | JsonInt | JsonDouble | JsonString | JsonArray | JsonObject;

export interface JsonNull {
  readonly kind: 'null';
}

export interface JsonBool {
  readonly kind: 'bool';
  readonly value: boolean;
}

/**
 * A number written without `.`, `e` or `E` that fits 64 bits (rapidjson's Int, Uint, Int64,
 * Uint64). `value` is exact up to 2^53; beyond that it is the nearest double and `big` holds
 * the exact value.
 */
export interface JsonInt {
  readonly kind: 'int';
  readonly value: number;
  readonly big: bigint | undefined;
  /** rapidjson `IsInt()`: within the int32 range. */
  readonly int32: boolean;
  /** rapidjson `IsInt64()`: false only for unsigned values above 2^63 - 1. */
  readonly int64: boolean;
}

/** Any other number, NaN and ±Infinity included. */
export interface JsonDouble {
  readonly kind: 'double';
  readonly value: number;
}

/**
 * A string. `bytes` is set only when the decoded bytes are not valid UTF-8 (rapidjson copies
 * them unchecked, and `\uDC00` escapes yield CESU-8), so that `value` alone would lose them.
 */
export interface JsonString {
  readonly kind: 'string';
  readonly value: string;
  readonly bytes: Uint8Array | undefined;
}

export interface JsonArray {
  readonly kind: 'array';
  readonly items: readonly JsonValue[];
}

/** Members in document order, duplicates kept. */
export interface JsonObject {
  readonly kind: 'object';
  readonly members: readonly (readonly [string, JsonValue])[];
}

/** rapidjson `FindMember`: the FIRST member with that key, as TF Serving looks keys up. */
export function getMember(object: JsonObject, key: string): JsonValue | undefined {
  for (const [name, value] of object.members) {
    if (name === key) return value;
  }
  return undefined;
}

/** Byte-wise UTF-8 order, as `std::string` and `std::set<std::string>` sort names. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The exact bytes of a JSON string (what TF Serving puts in a DT_STRING tensor). */
export function jsonStringBytes(value: JsonString): Uint8Array {
  return value.bytes ?? Buffer.from(value.value, 'utf8');
}

/** The decimal text of an integer, as rapidjson writes it back (`-0` reads as `0`). */
export function jsonIntText(value: JsonInt): string {
  return value.big === undefined ? String(value.value) : value.big.toString();
}

/** TF Serving's `JsonTypeString`: the name of a value's type in error messages. */
export function jsonTypeName(value: JsonValue): string {
  switch (value.kind) {
    case 'null':
      return 'Null';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
    case 'double':
      return 'Number';
    case 'string':
      return 'String';
    case 'array':
      return 'Array';
    case 'object':
      return 'Object';
  }
}
