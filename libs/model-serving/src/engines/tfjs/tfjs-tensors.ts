import * as tf from '@tensorflow/tfjs-core';
import { dtypeRow } from '../../tensor/dtypes.js';
import { isStringData, type TensorData, type TensorDType } from '../../tensor/tensor-data.js';
import { castValues } from '../../tensor/typed-values.js';

/**
 * The TensorFlow.js engines' one narrowing: a tensor of any dtype in the dtype TensorFlow.js
 * computes it in (integers as int32, float64/float16 as float32), from the one dtype table.
 * Only values that int32 holds pass; nothing is wrapped.
 * @throws InvalidInputError (400 / INVALID_ARGUMENT) naming `where` and the value that does not fit.
 */
export function narrowForTfjs(data: TensorData, where: string): TensorData {
  const tfjs = dtypeRow(data.dtype).tfjs;
  if (tfjs === data.dtype || isStringData(data.data) || tfjs === 'string') return data;
  const values = castValues(
    data.data,
    data.dtype as Exclude<TensorDType, 'string'>,
    tfjs,
    `${where} (${data.dtype}, which TensorFlow.js computes as ${tfjs})`,
  );
  return { dtype: tfjs, shape: data.shape, data: values };
}

/**
 * Makes a tfjs tensor from plain data, narrowed by {@link narrowForTfjs}. The caller disposes it.
 * @param where names the input in errors.
 */
export function toTfTensor(data: TensorData, where: string): tf.Tensor {
  const shape = [...data.shape];
  if (isStringData(data.data)) return tf.tensor(data.data, shape, 'string');
  const narrowed = narrowForTfjs(data, where);
  return tf.tensor(
    narrowed.data as Float32Array | Int32Array | Uint8Array,
    shape,
    narrowed.dtype as 'float32' | 'int32' | 'bool',
  );
}

/** Reads a tfjs tensor into plain data (copies; the tensor can be disposed afterwards). */
export async function fromTfTensor(tensor: tf.Tensor): Promise<TensorData> {
  const dtype = tensor.dtype as TensorDType;
  const shape = tensor.shape.slice();
  if (dtype === 'string') return { dtype, shape, data: (await tensor.bytes()) as Uint8Array[] };
  const values = await tensor.data();
  if (dtype === 'bool') return { dtype, shape, data: Uint8Array.from(values as ArrayLike<number>) };
  if (dtype === 'int32')
    return { dtype, shape, data: Int32Array.from(values as ArrayLike<number>) };
  return { dtype: 'float32', shape, data: Float32Array.from(values as ArrayLike<number>) };
}

/** Converts every output, then disposes all of them whether or not conversion succeeded. */
export async function collectOutputs(
  names: readonly string[],
  tensors: readonly tf.Tensor[],
): Promise<Record<string, TensorData>> {
  try {
    const result: Record<string, TensorData> = {};
    for (let i = 0; i < names.length; i++) {
      const tensor = tensors[i];
      const name = names[i];
      if (tensor && name !== undefined) result[name] = await fromTfTensor(tensor);
    }
    return result;
  } finally {
    tf.dispose([...tensors]);
  }
}
