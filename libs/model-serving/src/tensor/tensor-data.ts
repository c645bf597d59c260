import { dtypeRowOfTf } from './dtypes.js';

/**
 * Element types a tensor can carry across the library's seams. Names follow TensorFlow.js; the
 * protocol layers map them to TensorFlow's `DT_*` names.
 * @publicApi
 */
export type TensorDType = 'float32' | 'int32' | 'bool' | 'string';

/** The typed array behind each numeric dtype; `bool` is one byte (0 or 1) per element. */
export type NumericTensorValues = Float32Array | Int32Array | Uint8Array;

/**
 * A plain tensor: what crosses every seam (protocols, batching, executors), never a tfjs
 * tensor. `string` tensors hold one byte string per element.
 * @publicApi
 */
export interface TensorData {
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly data: NumericTensorValues | readonly Uint8Array[];
}

/** Nested JS arrays of numbers, booleans or strings, as users write tensors by hand. @publicApi */
export type NestedValues = number | boolean | string | Uint8Array | readonly NestedValues[];

export { TF_DTYPE_NAMES } from './dtypes.js';

/** Reads a `DT_*` name (as found in tfjs graph models) back into the dtype that carries it. */
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
