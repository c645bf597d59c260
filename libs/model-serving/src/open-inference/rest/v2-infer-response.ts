import { floatToHalf, halfToFloat } from '../../tensor/float16.js';
import { isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { type V2Datatype } from '../v2-datatype.js';
import { type V2InferResult } from '../v2-infer.js';
import { stringifyV2Json } from '../v2-json.js';

/** An output tensor of a REST inference response; `data` is flat, row-major. */
export interface V2OutputJson {
  name: string;
  datatype: V2Datatype;
  shape: number[];
  data: (number | bigint | boolean | string | null)[];
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

/** The shortest decimal that reads back as the same half (`0.1`, not `0.0999755859375`). */
export function shortestHalf(bits: number): number | null {
  const value = halfToFloat(bits);
  if (!Number.isFinite(value)) return null;
  for (let precision = 1; precision < 5; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (floatToHalf(candidate) === bits) return candidate;
  }
  return Number(value.toPrecision(5));
}

/**
 * The flat values as JSON writes them: int64/uint64 as bigints (written with all digits by
 * {@link stringifyV2Response}), floats in the shortest form of their own width.
 */
function jsonValues(tensor: TensorData): V2OutputJson['data'] {
  const { data } = tensor;
  if (isStringData(data)) return data.map((bytes) => decoder.decode(bytes));
  switch (tensor.dtype) {
    case 'bool':
      return Array.from(data as Uint8Array, (v) => v !== 0);
    case 'float32':
      return Array.from(data as Float32Array, shortestFloat32);
    case 'float16':
      return Array.from(data as Uint16Array, shortestHalf);
    case 'float64':
      return Array.from(data as Float64Array, (v) => (Number.isFinite(v) ? v : null));
    case 'int64':
    case 'uint64':
      return Array.from(data as BigInt64Array);
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'string':
      return Array.from(data as Int32Array);
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

/** The response document as JSON text, 64-bit integers with all their digits. */
export function stringifyV2Response(response: V2InferResponseJson): string {
  return stringifyV2Json(response);
}
