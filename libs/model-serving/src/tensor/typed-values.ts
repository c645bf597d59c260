import { InvalidInputError } from '../errors/invalid-input.error.js';
import { dtypeRow } from './dtypes.js';
import { floatToHalf, halfToFloat } from './float16.js';
import { type NumericDType, type NumericTensorValues, type TypedArrayOf } from './tensor-data.js';

/** The integer dtypes, with the inclusive range of each. */
export const INTEGER_RANGES = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
} as const satisfies Record<string, readonly [bigint, bigint]>;

export type IntegerDType = keyof typeof INTEGER_RANGES;

const ARRAYS: { readonly [D in NumericDType]: new (length: number) => TypedArrayOf[D] } = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/**
 * The typed array a tensor of `dtype` carries, by name (`BigInt64Array` for int64, `Uint16Array`
 * half bits for float16), when `data` is another kind; `undefined` when it is the right one, from
 * whatever realm.
 */
export function wrongArrayFor(dtype: NumericDType, data: unknown): string | undefined {
  const expected = ARRAYS[dtype].name;
  const tag = Object.prototype.toString.call(data); // `[object Float32Array]`, realm-free
  return tag === `[object ${expected}]` ? undefined : expected;
}

/**
 * `values` as this realm's typed array of `dtype`: the array itself, or a copy when another
 * realm made it (a VM context, as test runners use), which native addons such as ONNX Runtime
 * refuse by `instanceof`.
 */
export function ownTypedArray<D extends NumericDType>(
  dtype: D,
  values: NumericTensorValues,
): TypedArrayOf[D] {
  const Own = ARRAYS[dtype];
  if (values instanceof Own) return values;
  const copy = new Own(values.length);
  (copy as unknown as { set(v: ArrayLike<number | bigint>): void }).set(values);
  return copy;
}

/** Whether a dtype is an integer type (bool is not). */
export function isIntegerDType(dtype: string): dtype is IntegerDType {
  return Object.hasOwn(INTEGER_RANGES, dtype);
}

/** Whether a dtype's typed array holds bigints (int64, uint64). */
export function isBigIntDType(dtype: string): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** A zeroed typed array of `length` elements of `dtype`. */
export function allocate<D extends NumericDType>(dtype: D, length: number): TypedArrayOf[D] {
  return new ARRAYS[dtype](length);
}

/** One value as the protocols hand it over: a number, a bigint, a boolean, or decimal text. */
export type ElementInput = number | bigint | boolean | string;

/**
 * The element `value` stores as in a `dtype` typed array: a bigint for int64/uint64, the half
 * bits for float16, 0/1 for bool, else the number. `undefined` when the value cannot be
 * represented: an integer out of range or not an integer, a non-number for a float, a
 * non-boolean for bool. Decimal integer text is read exactly (gRPC hands 64-bit fields over as
 * strings); other text is refused.
 */
export function storedElement(
  value: ElementInput,
  dtype: NumericDType,
): number | bigint | undefined {
  if (dtype === 'bool') return typeof value === 'boolean' ? (value ? 1 : 0) : undefined;
  if (typeof value === 'boolean') return undefined;
  if (!isIntegerDType(dtype)) {
    if (typeof value === 'string') return undefined;
    const n = Number(value);
    return dtype === 'float16' ? floatToHalf(n) : n;
  }
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
  else return undefined;
  const [min, max] = INTEGER_RANGES[dtype];
  if (n < min || n > max) return undefined;
  return isBigIntDType(dtype) ? n : Number(n);
}

/** How a value is shown in messages (bigints and decimal text without quotes). */
function shown(value: unknown, dtype: NumericDType): string {
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  // Integer text is how gRPC hands 64-bit fields over: shown as the number it is.
  if (typeof value === 'string' && isIntegerDType(dtype) && /^-?\d+$/.test(value)) return value;
  if (value instanceof Uint8Array) return 'a byte string';
  return JSON.stringify(value);
}

/** What a dtype accepts, for messages. */
export function acceptedValues(dtype: NumericDType): string {
  if (isIntegerDType(dtype)) {
    const [min, max] = INTEGER_RANGES[dtype];
    return `an integer from ${min} to ${max}`;
  }
  return dtype === 'bool' ? 'true or false' : 'a number';
}

/** The error for a value that `dtype` cannot represent: what came, and what fits. */
export function unrepresentable(
  where: string,
  value: unknown,
  dtype: NumericDType,
): InvalidInputError {
  return new InvalidInputError(
    `${where}: ${shown(value, dtype)} cannot be represented as ${dtype} (${acceptedValues(dtype)})`,
  );
}

/**
 * Values as the typed array of `dtype`, each checked by {@link storedElement}.
 * @throws InvalidInputError naming `where`, the first value that does not fit and the range.
 */
export function typedValues<D extends NumericDType>(
  dtype: D,
  values: ArrayLike<ElementInput>,
  where: string,
): TypedArrayOf[D] {
  const out = allocate(dtype, values.length);
  const slots = out as unknown as (number | bigint)[];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const stored = storedElement(v, dtype);
    if (stored === undefined) throw unrepresentable(where, v, dtype);
    slots[i] = stored;
  }
  return out;
}

/** Element `i` as a number: float16 bits decoded, 64-bit integers rounded past 2^53. */
export function numberAt(data: NumericTensorValues, dtype: NumericDType, i: number): number {
  const v = data[i]!;
  if (dtype === 'float16') return halfToFloat(v as number);
  return Number(v);
}

/**
 * The values of a `from` tensor as `to`'s typed array. Integers must fit (`1.5` or `300` into
 * uint8 are refused); floats narrow by rounding (float64 → float32, as TensorFlow.js computes);
 * integers into floats round to the nearest float.
 * @throws InvalidInputError naming `where`, the first value that does not fit and the range.
 */
export function castValues<D extends NumericDType>(
  data: NumericTensorValues,
  from: NumericDType,
  to: D,
  where: string,
): TypedArrayOf[D] {
  if (from === to) return data as TypedArrayOf[D];
  const out = allocate(to, data.length);
  const slots = out as unknown as (number | bigint)[];
  const toInteger = isIntegerDType(to);
  for (let i = 0; i < data.length; i++) {
    const v = from === 'float16' ? halfToFloat(data[i] as number) : data[i]!;
    if (toInteger || to === 'bool') {
      const stored = storedElement(to === 'bool' ? v !== 0 && v !== 0n : v, to);
      if (stored === undefined) throw unrepresentable(where, v, to);
      slots[i] = stored;
    } else {
      const n = Number(v);
      slots[i] = to === 'float16' ? floatToHalf(n) : n;
    }
  }
  return out;
}

/**
 * Values from little-endian raw bytes (`tensor_content`, v2 raw contents), copied into an
 * aligned array of their own; bool bytes read as 0/1.
 */
export function fromRawBytes<D extends NumericDType>(
  dtype: D,
  raw: Uint8Array,
  count: number,
): TypedArrayOf[D] {
  const out = allocate(dtype, count);
  const bytes = new Uint8Array(out.buffer, 0, out.byteLength);
  bytes.set(raw.subarray(0, out.byteLength));
  if (dtype === 'bool') for (let i = 0; i < count; i++) bytes[i] = bytes[i] ? 1 : 0;
  return out;
}

/** The little-endian raw bytes of typed values (a view, not a copy). */
export function rawBytes(data: NumericTensorValues): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Bytes per element of a numeric dtype. */
export function bytesPerElement(dtype: NumericDType): number {
  return dtypeRow(dtype).bytes;
}

if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
  // Raw contents are little-endian by every protocol's definition; typed arrays use the host's order.
  throw new Error('nest-model-serving needs a little-endian host');
}
