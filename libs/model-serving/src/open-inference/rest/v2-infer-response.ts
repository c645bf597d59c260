import { isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { type V2Datatype } from '../v2-datatype.js';
import { type V2InferResult } from '../v2-infer.js';

/** An output tensor of a REST inference response; `data` is flat, row-major. */
export interface V2OutputJson {
  name: string;
  datatype: V2Datatype;
  shape: number[];
  data: (number | boolean | string | null)[];
}

/** The REST inference response document. */
export interface V2InferResponseJson {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: V2OutputJson[];
}

const decoder = new TextDecoder();

/**
 * The shortest decimal that reads back as the same float32, so 0.1 is written `0.1` rather
 * than the double `0.10000000149011612`. Non-finite values have no JSON form: `null`.
 */
export function shortestFloat32(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  for (let precision = 1; precision < 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

function jsonValues(tensor: TensorData): V2OutputJson['data'] {
  if (isStringData(tensor.data)) return tensor.data.map((bytes) => decoder.decode(bytes));
  switch (tensor.dtype) {
    case 'bool':
      return Array.from(tensor.data, (v) => v !== 0);
    case 'float32':
      return Array.from(tensor.data, shortestFloat32);
    case 'int32':
    case 'string':
      return Array.from(tensor.data);
  }
}

/** Writes an inference result as the Open Inference Protocol's REST response. */
export function encodeV2InferResponse(result: V2InferResult): V2InferResponseJson {
  return {
    model_name: result.model,
    model_version: result.version,
    ...(result.id !== undefined ? { id: result.id } : {}),
    outputs: result.outputs.map(({ name, datatype, tensor }) => ({
      name,
      datatype,
      shape: [...tensor.shape],
      data: jsonValues(tensor),
    })),
  };
}
