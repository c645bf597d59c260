import { InvalidInputError } from '../../errors/invalid-input.error.js';
import {
  elementCount,
  isStringData,
  type NumericDType,
  type NumericTensorValues,
  type TensorData,
} from '../../tensor/tensor-data.js';
import { castValues, fromRawBytes, rawBytes } from '../../tensor/typed-values.js';
import { V2_DATATYPES, type V2Datatype } from '../v2-datatype.js';
import { type V2Value } from '../v2-tensor-values.js';

/** BYTES elements: each a 4-byte little-endian length, then that many bytes (Triton's layout). */
function readByteStrings(raw: Uint8Array, where: string): Uint8Array[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const items: Uint8Array[] = [];
  for (let offset = 0; offset < raw.byteLength;) {
    const length = offset + 4 <= raw.byteLength ? view.getUint32(offset, true) : -1;
    if (length < 0 || offset + 4 + length > raw.byteLength) {
      throw new InvalidInputError(
        `${where}: raw BYTES content is truncated at byte ${offset} (each element is a 4-byte little-endian length, then its bytes)`,
      );
    }
    items.push(raw.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return items;
}

/**
 * Reads one input's `raw_input_contents` entry: flat, row-major, little-endian elements, as the
 * typed array of the datatype's exact dtype (FP16 as its half bits).
 * @throws InvalidInputError when the byte count does not fit the shape and datatype.
 */
export function decodeRawContents(
  raw: Uint8Array,
  datatype: V2Datatype,
  shape: readonly number[],
  where: string,
): ArrayLike<V2Value> | NumericTensorValues {
  if (datatype === 'BYTES') return readByteStrings(raw, where);
  const { bytes, dtype } = V2_DATATYPES[datatype];
  const count = elementCount(shape);
  if (raw.byteLength !== count * bytes) {
    throw new InvalidInputError(
      `${where}: raw content holds ${raw.byteLength} bytes; shape [${shape.join(',')}] of ${datatype} needs ${count * bytes}`,
    );
  }
  return fromRawBytes(dtype as NumericDType, raw, count);
}

/**
 * Writes an output tensor as a `raw_output_contents` entry in `datatype`'s layout (values
 * an engine computed in a narrower dtype, as TensorFlow.js does, are widened exactly).
 */
export function encodeRawContents(tensor: TensorData, datatype: V2Datatype): Buffer {
  if (isStringData(tensor.data)) {
    const parts: Buffer[] = [];
    for (const item of tensor.data) {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(item.byteLength);
      parts.push(length, Buffer.from(item.buffer, item.byteOffset, item.byteLength));
    }
    return Buffer.concat(parts);
  }
  // A numeric tensor declared BYTES cannot happen; its own dtype's layout is the safe answer.
  const from = tensor.dtype as NumericDType;
  const target = datatype === 'BYTES' ? from : (V2_DATATYPES[datatype].dtype as NumericDType);
  const values = castValues(tensor.data, from, target, 'output');
  return Buffer.from(rawBytes(values));
}
