import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { elementCount, isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { V2_DATATYPES, v2DatatypeOf, type V2Datatype } from '../v2-datatype.js';
import { type V2Value } from '../v2-tensor-values.js';
import { floatToHalf, halfToFloat } from '../../tensor/float16.js';

type Read = (view: DataView, offset: number) => V2Value;
type Write = (view: DataView, offset: number, value: number) => void;

/** Little-endian element layouts of the fixed-size datatypes (BYTES is length-prefixed). */
const LAYOUTS: Readonly<Record<Exclude<V2Datatype, 'BYTES'>, { read: Read; write: Write }>> = {
  BOOL: { read: (v, o) => v.getUint8(o) !== 0, write: (v, o, x) => v.setUint8(o, x ? 1 : 0) },
  UINT8: { read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x) },
  UINT16: { read: (v, o) => v.getUint16(o, true), write: (v, o, x) => v.setUint16(o, x, true) },
  UINT32: { read: (v, o) => v.getUint32(o, true), write: (v, o, x) => v.setUint32(o, x, true) },
  UINT64: {
    read: (v, o) => v.getBigUint64(o, true),
    write: (v, o, x) => v.setBigUint64(o, BigInt(x), true),
  },
  INT8: { read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, x) },
  INT16: { read: (v, o) => v.getInt16(o, true), write: (v, o, x) => v.setInt16(o, x, true) },
  INT32: { read: (v, o) => v.getInt32(o, true), write: (v, o, x) => v.setInt32(o, x, true) },
  INT64: {
    read: (v, o) => v.getBigInt64(o, true),
    write: (v, o, x) => v.setBigInt64(o, BigInt(x), true),
  },
  FP16: {
    read: (v, o) => halfToFloat(v.getUint16(o, true)),
    write: (v, o, x) => v.setUint16(o, floatToHalf(x), true),
  },
  FP32: { read: (v, o) => v.getFloat32(o, true), write: (v, o, x) => v.setFloat32(o, x, true) },
  FP64: { read: (v, o) => v.getFloat64(o, true), write: (v, o, x) => v.setFloat64(o, x, true) },
};

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
 * Reads one input's `raw_input_contents` entry: flat, row-major, little-endian elements.
 * @throws InvalidInputError when the byte count does not fit the shape and datatype.
 */
export function decodeRawContents(
  raw: Uint8Array,
  datatype: V2Datatype,
  shape: readonly number[],
  where: string,
): ArrayLike<V2Value> {
  if (datatype === 'BYTES') return readByteStrings(raw, where);
  const { bytes } = V2_DATATYPES[datatype];
  const count = elementCount(shape);
  if (raw.byteLength !== count * bytes) {
    throw new InvalidInputError(
      `${where}: raw content holds ${raw.byteLength} bytes; shape [${shape.join(',')}] of ${datatype} needs ${count * bytes}`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const { read } = LAYOUTS[datatype];
  if (datatype === 'FP32')
    return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
  if (datatype === 'INT32')
    return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
  return Array.from({ length: count }, (_, i) => read(view, i * bytes));
}

/** Writes an output tensor as a `raw_output_contents` entry in `datatype`'s layout. */
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
  const type = datatype === 'BYTES' ? v2DatatypeOf({ dtype: tensor.dtype }) : datatype;
  const layout = LAYOUTS[type as Exclude<V2Datatype, 'BYTES'>];
  const { bytes } = V2_DATATYPES[type];
  const out = Buffer.alloc(tensor.data.length * bytes);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  tensor.data.forEach((value, i) => layout.write(view, i * bytes, value));
  return out;
}
