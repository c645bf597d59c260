import { dtypeRowOfTf } from './dtypes.js';

/**
 * Element types a tensor can carry across the library's seams, each exactly: names follow
 * TensorFlow.js and ONNX Runtime; the protocol layers map them to TensorFlow's `DT_*` names and
 * the Open Inference Protocol's datatypes through the one dtype table (`tensor/dtypes.ts`).
 * @publicApi
 */
export type TensorDType =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/** The dtypes whose values are numbers (or booleans), held in a typed array. @publicApi */
export type NumericDType = Exclude<TensorDType, 'string'>;

/**
 * The typed array behind each numeric dtype. `float16` holds each value's IEEE 754 half bits
 * (as ONNX Runtime takes them; Node has no Float16Array), `bool` one byte (0 or 1) per element,
 * and the 64-bit integers BigInt64Array / BigUint64Array, so every value is exact.
 * @publicApi
 */
export interface TypedArrayOf {
  float16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

/** Any numeric tensor's values (all typed arrays, so they transfer between worker threads). */
export type NumericTensorValues = TypedArrayOf[NumericDType];

/**
 * A plain tensor: what crosses every seam (protocols, batching, worker threads, executors),
 * never an engine's tensor. `data` is the typed array of `dtype` ({@link TypedArrayOf}), or one
 * byte string per element for `string`.
 * @publicApi
 */
export interface TensorData {
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly data: NumericTensorValues | readonly Uint8Array[];
}

/**
 * Nested JS arrays of numbers, bigints (for int64/uint64 values beyond 2^53), booleans or
 * strings, as users write tensors by hand. @publicApi
 */
export type NestedValues =
  number | bigint | boolean | string | Uint8Array | readonly NestedValues[];

export { TF_DTYPE_NAMES } from './dtypes.js';

/** Reads a `DT_*` name (as found in graph models and SavedModels) back into its dtype. */
export function dtypeFromTfName(name: string): TensorDType | undefined {
  return dtypeRowOfTf(name)?.dtype;
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Whether `data` holds byte strings (the `string` dtype). */
export function isStringData(data: TensorData['data']): data is readonly Uint8Array[] {
  return Array.isArray(data);
}
