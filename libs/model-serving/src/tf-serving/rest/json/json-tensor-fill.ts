import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { floatToHalf } from '../../../tensor/float16.js';
import {
  elementCount,
  type NumericTensorValues,
  type TensorData,
  type TensorDType,
} from '../../../tensor/tensor-data.js';
import {
  acceptedValues,
  allocate,
  type IntegerDType,
  storedElement,
} from '../../../tensor/typed-values.js';
import { base64Unescape } from './base64.js';
import { debugString } from './json-debug-string.js';
import { PackedJsonArray } from './json-packed-array.js';
import {
  type JsonInt,
  type JsonObject,
  type JsonValue,
  getMember,
  jsonIntText,
  jsonStringBytes,
  jsonTypeName,
} from './json-value.js';

/** TensorFlow's `DataTypeString`, the dtype names TF Serving's messages use. */
export function dataTypeString(dtype: TensorDType): string {
  return TF_SHORT_NAMES[dtype] ?? dtype;
}

const TF_SHORT_NAMES: Partial<Record<TensorDType, string>> = {
  float32: 'float',
  float64: 'double',
  float16: 'half',
};

/** TF Serving's `IsValBase64Object`: exactly one member, `b64`, holding a string. */
export function isBase64Object(value: JsonValue): value is JsonObject {
  return (
    value.kind === 'object' &&
    value.members.length === 1 &&
    getMember(value, 'b64')?.kind === 'string'
  );
}

type NumberArray = NumericTensorValues;

function numberArray(dtype: TensorDType, length: number): NumberArray {
  return allocate(dtype === 'string' ? 'uint8' : dtype, length);
}

/**
 * The values appended to one input, like the repeated fields of TF Serving's TensorProto:
 * kept in a typed array of the dtype as they come (a float32 value is rounded once, on entry,
 * as `GetFloat()` does; int64/uint64 values are bigints, all digits kept; float16 values their
 * half bits; bool 0/1), byte strings for string.
 */
export class TensorValues {
  readonly strings: Uint8Array[] = [];
  private data: NumberArray;
  private count = 0;

  constructor(readonly dtype: TensorDType) {
    this.data = numberArray(dtype, dtype === 'string' ? 0 : 16);
  }

  /** The numbers appended so far. */
  get numbers(): NumberArray {
    return this.data.subarray(0, this.count);
  }

  /** Makes room for `extra` more numbers at once (a known size avoids regrowing). */
  reserve(extra: number): void {
    const needed = this.count + extra;
    if (needed <= this.data.length) return;
    const grown = numberArray(this.dtype, Math.max(needed, this.data.length * 2));
    // Same dtype on both sides (bigints into a bigint array): the cast only satisfies the union.
    (grown as Float64Array).set(this.numbers as Float64Array);
    this.data = grown;
  }

  /** Appends one element, already in the typed array's form (a bigint for int64/uint64). */
  push(value: number | bigint): void {
    if (this.count === this.data.length) this.reserve(1);
    (this.data as unknown as (number | bigint)[])[this.count++] = value;
  }

  /** Appends numbers in one copy, for the dtypes {@link takesWholeBlocks} names. */
  pushAll(values: Float64Array): void {
    this.reserve(values.length);
    (this.data as Float64Array).set(values, this.count);
    this.count += values.length;
  }

  /**
   * The tensor, with TensorFlow's `Tensor::FromProto` rule for a value count that does not
   * match the shape (which only duplicate keys in row format produce): extra values are
   * dropped, missing ones repeat the last value (or are zero/empty when there is none).
   */
  toTensorData(shape: readonly number[]): TensorData {
    const n = elementCount(shape);
    if (this.dtype === 'string') {
      const last = this.strings[this.strings.length - 1] ?? new Uint8Array(0);
      return {
        dtype: this.dtype,
        shape,
        data: Array.from({ length: n }, (_, i) => this.strings[i] ?? last),
      };
    }
    if (this.count === n) {
      const data = this.data.length === n ? this.data : this.data.slice(0, n);
      return { dtype: this.dtype, shape, data };
    }
    const data = numberArray(this.dtype, n) as Float64Array;
    const kept = this.data.subarray(0, Math.min(n, this.count)) as Float64Array;
    data.set(kept);
    if (n > this.count && this.count > 0)
      data.fill(this.data[this.count - 1] as number, this.count);
    return { dtype: this.dtype, shape, data: data as NumberArray };
  }
}

/** TF Serving's `GetDenseTensorShape`: the sizes along the first element at each level. */
export function denseShape(value: JsonValue): number[] {
  const shape: number[] = [];
  for (let v: JsonValue | undefined = value; v?.kind === 'array'; v = v.items[0]) {
    if (v instanceof PackedJsonArray) {
      shape.push(...v.shape); // a block of numbers: the shape ends with its own
      break;
    }
    shape.push(v.items.length);
  }
  return shape;
}

function typeError(value: JsonValue, dtype: TensorDType): InvalidInputError {
  return new InvalidInputError(
    `JSON Value: ${debugString(value)} Type: ${jsonTypeName(value)} is not of expected type: ${dataTypeString(dtype)}`,
  );
}

/** TF Serving's `AddValueToTensor` plus its base64 object leaf for DT_STRING. */
function addLeaf(value: JsonValue, out: TensorValues): void {
  const { dtype } = out;
  if (value.kind === 'object') {
    if (dtype !== 'string') throw typeError(value, dtype);
    const b64 = isBase64Object(value) ? value.members[0]?.[1] : undefined;
    if (b64?.kind !== 'string') {
      throw new InvalidInputError(
        `JSON Value: ${debugString(value)} not formatted correctly for base64 data`,
      );
    }
    const decoded = base64Unescape(jsonStringBytes(b64));
    if (decoded === undefined) throw new InvalidInputError('Unable to base64 decode');
    out.strings.push(decoded);
    return;
  }
  switch (dtype) {
    case 'float32': // any number; GetFloat() narrows ints and doubles alike
    case 'float64':
    case 'float16': // TF Serving cannot fill DT_HALF from JSON; any number, to the nearest half
      if (value.kind !== 'int' && value.kind !== 'double') throw typeError(value, dtype);
      out.push(dtype === 'float16' ? floatToHalf(value.value) : value.value);
      return;
    case 'int32': // IsInt(): an integer literal in the int32 range, so `1.0` is refused
    case 'int16':
    case 'int8':
    case 'uint8':
    case 'uint16': // TF Serving cannot fill DT_UINT16 from JSON; taken as the other narrow ints
      if (value.kind !== 'int' || !value.int32) throw typeError(value, dtype);
      out.push(fitting(value, dtype));
      return;
    case 'int64': // IsInt64(): any integer literal up to 2^63 - 1, every digit kept
      if (value.kind !== 'int' || !value.int64) throw typeError(value, dtype);
      out.push(fitting(value, dtype));
      return;
    case 'uint32': // IsUint(), IsUint64(): non-negative integer literals of the width
    case 'uint64':
      if (value.kind !== 'int') throw typeError(value, dtype);
      out.push(fitting(value, dtype));
      return;
    case 'bool':
      if (value.kind !== 'bool') throw typeError(value, dtype);
      out.push(value.value ? 1 : 0);
      return;
    case 'string':
      if (value.kind !== 'string') throw typeError(value, dtype);
      out.strings.push(jsonStringBytes(value));
      return;
  }
}

/**
 * An integer literal as `dtype` holds it. TF Serving would wrap a value the narrow type cannot
 * hold (`256` for uint8 becomes 0); it is refused here, naming the range.
 */
function fitting(value: JsonInt, dtype: IntegerDType): number | bigint {
  const exact = value.big ?? value.value;
  const stored = storedElement(exact, dtype);
  if (stored === undefined) {
    throw new InvalidInputError(
      `JSON Value: ${jsonIntText(value)} Type: Number is out of range for type: ${dataTypeString(dtype)} (${acceptedValues(dtype)})`,
    );
  }
  return stored;
}

/**
 * Whether a block of numbers goes into a tensor of `dtype` as it is, in one copy: any numbers
 * for float32 (rounded as `GetFloat()`) and float64, int32 literals for int32.
 */
export function takesWholeBlocks(dtype: TensorDType, block: PackedJsonArray): boolean {
  return dtype === 'float32' || dtype === 'float64' || (dtype === 'int32' && block.everyInt32());
}

/**
 * A block of numbers at `level` (what `fillTensor` does list by list, number by number), in
 * one copy when its shape is the rest of `shape` and the dtype takes all its numbers.
 * @returns the number of values appended, or `undefined` when the block must be walked (it
 *   fails somewhere, with the message of the list or number that fails first).
 */
function addBlock(
  block: PackedJsonArray,
  level: number,
  shape: readonly number[],
  out: TensorValues,
): number | undefined {
  if (level + block.shape.length !== shape.length) return undefined;
  for (let i = 0; i < block.shape.length; i++) {
    if (block.shape[i] !== shape[level + i]) return undefined;
  }
  const { values } = block;
  if (values.length === 0) return 0;
  if (takesWholeBlocks(out.dtype, block)) {
    out.pushAll(values);
    return values.length;
  }
  return undefined;
}

/**
 * TF Serving's `FillTensorProto`: walks `value` against `shape` (from {@link denseShape}),
 * appending every leaf to `out`, with an explicit stack so any depth is safe.
 * @returns the number of values appended.
 * @throws InvalidInputError for a list at the wrong level or of the wrong size, a scalar
 *   above the leaf level, a value of the wrong type, or bad base64.
 */
export function fillTensor(value: JsonValue, shape: readonly number[], out: TensorValues): number {
  const rank = shape.length;
  const stack: { readonly items: readonly JsonValue[]; next: number; readonly level: number }[] =
    [];
  let count = 0;
  const visit = (v: JsonValue, level: number): void => {
    if (v.kind !== 'array') {
      if (level !== rank) {
        // TF Serving prints level + 1 here (and the rank unchanged).
        throw new InvalidInputError(
          `JSON Value: ${debugString(v)} found at incorrect level: ${level + 1} in the JSON DOM. Expected at level: ${rank}`,
        );
      }
      addLeaf(v, out);
      count++;
      return;
    }
    if (level >= rank) {
      throw new InvalidInputError(
        `Encountered list at unexpected level: ${level} expected < ${rank}`,
      );
    }
    if (v instanceof PackedJsonArray) {
      const added = addBlock(v, level, shape, out);
      if (added !== undefined) {
        count += added;
        return;
      }
    }
    if (v.items.length !== shape[level]) {
      throw new InvalidInputError(
        `Encountered list at unexpected size: ${v.items.length} at level: ${level} expected size: ${shape[level]}`,
      );
    }
    stack.push({ items: v.items, next: 0, level: level + 1 });
  };
  visit(value, 0);
  for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
    const item = top.items[top.next++];
    if (item === undefined) stack.pop();
    else visit(item, top.level);
  }
  return count;
}
