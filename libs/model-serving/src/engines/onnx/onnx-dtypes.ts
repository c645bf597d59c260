import { DTYPES } from '../../tensor/dtypes.js';
import {
  type NumericDType,
  type NumericTensorValues,
  type TensorDType,
} from '../../tensor/tensor-data.js';

/** How one ONNX element type crosses the library's seams. */
export interface OnnxDtype {
  /** The library's dtype that carries its values: the same type, exactly. */
  readonly dtype: TensorDType;
  /** TensorFlow's name, as metadata reports it. */
  readonly tfDtype: string;
}

/**
 * onnxruntime-node's element types that this engine serves, by the type names its session
 * metadata uses, from the one dtype table; each is carried in its own typed array, so ONNX
 * Runtime receives and answers every value exactly. Types without an entry (bfloat16,
 * complex, 4-bit, 8-bit floats) fail at load.
 */
export const ONNX_DTYPES: Readonly<Record<string, OnnxDtype>> = Object.fromEntries(
  DTYPES.flatMap((row) => (row.onnx ? [[row.onnx, { dtype: row.dtype, tfDtype: row.tf }]] : [])),
);

/**
 * The values onnxruntime answered, as the library's typed array of `dtype`. They already are
 * one, except float16 when the runtime hands out a Float16Array (newer runtimes, where the
 * global exists): its bits are read as the Uint16Array the library carries halves in.
 */
export function fromOrtValues(dtype: NumericDType, values: ArrayBufferView): NumericTensorValues {
  if (dtype === 'float16' && !(values instanceof Uint16Array)) {
    return new Uint16Array(values.buffer, values.byteOffset, values.byteLength / 2).slice();
  }
  if (dtype === 'bool' && !(values instanceof Uint8Array)) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
  }
  return values as NumericTensorValues;
}
