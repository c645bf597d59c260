import * as tf from '@tensorflow/tfjs-core';
import { isStringData, type TensorData, type TensorDType } from '../../tensor/tensor-data.js';

/** Makes a tfjs tensor from plain data. The caller disposes it. */
export function toTfTensor(data: TensorData): tf.Tensor {
  const shape = [...data.shape];
  if (isStringData(data.data)) return tf.tensor(data.data, shape, 'string');
  return tf.tensor(data.data, shape, data.dtype);
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
