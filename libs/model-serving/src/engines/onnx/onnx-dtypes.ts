import type * as ort from 'onnxruntime-node';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { DTYPES } from '../../tensor/dtypes.js';
import {
  isStringData,
  type NumericDType,
  type NumericTensorValues,
  type TensorData,
  type TensorDType,
} from '../../tensor/tensor-data.js';
import { castValues, ownTypedArray } from '../../tensor/typed-values.js';
import { type OnnxRuntime } from './onnx-runtime.js';

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

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/**
 * `data` as an ONNX Runtime tensor of the graph's element type `type`: strings decoded, numbers
 * in `type`'s own typed array (the same array when the dtypes agree, else cast by the one
 * table's rules: float16 bits decoded, integers refused when they do not fit).
 * @throws InvalidInputError naming `what` when a value does not fit `type`.
 */
export function toOrtTensor(
  runtime: OnnxRuntime,
  type: string,
  data: TensorData,
  what: string,
): ort.Tensor {
  const dims = [...data.shape];
  if (isStringData(data.data)) {
    return new runtime.Tensor(
      'string',
      data.data.map((bytes) => utf8.decode(bytes)),
      dims,
    );
  }
  const to = ONNX_DTYPES[type]?.dtype;
  if (!to || to === 'string') {
    throw new UnimplementedError(`${what} has element type ${type}, which is not served`);
  }
  const values = ownTypedArray(to, castValues(data.data, data.dtype as NumericDType, to, what));
  return new runtime.Tensor(type as 'float32', values as Float32Array, dims);
}

/**
 * ONNX Runtime's answer as the library's tensor of `dtype` (the signature's): strings encoded,
 * numbers in `dtype`'s typed array (cast when the graph's type differs).
 * @throws UnimplementedError naming `what` when a value does not fit `dtype`.
 */
export function fromOrtTensor(dtype: TensorDType, tensor: ort.Tensor, what: string): TensorData {
  const shape = [...tensor.dims];
  if (dtype === 'string') {
    return { dtype, shape, data: (tensor.data as string[]).map((s) => encoder.encode(s)) };
  }
  const from = ONNX_DTYPES[tensor.type]?.dtype;
  if (!from || from === 'string') {
    throw new UnimplementedError(`${what} has element type ${tensor.type}, which is not served`);
  }
  const values = fromOrtValues(from, tensor.data as ArrayBufferView);
  try {
    return { dtype, shape, data: castValues(values, from, dtype, what) };
  } catch (error) {
    if (!(error instanceof ModelServingError)) throw error;
    throw new UnimplementedError(`${error.message}, as the model answered it`);
  }
}
