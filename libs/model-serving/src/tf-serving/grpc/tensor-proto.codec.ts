import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { floatToHalf, halfToFloat } from '../../tensor/float16.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import {
  elementCount,
  isStringData,
  type TensorData,
  type TensorDType,
} from '../../tensor/tensor-data.js';

/** `tensorflow.TensorProto` as @grpc/proto-loader hands it over (keepCase, longs as strings). */
export interface TensorProtoMessage {
  dtype?: string;
  tensor_shape?: {
    dim?: { size?: string | number; name?: string }[];
    unknown_rank?: boolean;
  } | null;
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
  int64_val?: (string | number)[];
  bool_val?: boolean[];
  uint32_val?: number[];
  uint64_val?: (string | number)[];
}

type ValField =
  | 'float_val'
  | 'double_val'
  | 'int_val'
  | 'int64_val'
  | 'bool_val'
  | 'half_val'
  | 'uint32_val'
  | 'uint64_val';

interface WireType {
  /** The dtype the engine computes it in. */
  readonly dtype: TensorDType;
  readonly field: ValField | 'string_val';
  /** Bytes per element in `tensor_content`. */
  readonly bytes: number;
  readonly read: (view: DataView, offset: number) => number | bigint;
  readonly range?: readonly [number, number];
}

const INT32: readonly [number, number] = [-(2 ** 31), 2 ** 31 - 1];

/** TensorFlow dtypes a request may carry, with their `*_val` field and little-endian layout. */
const WIRE_TYPES: Readonly<Record<string, WireType>> = {
  DT_FLOAT: {
    dtype: 'float32',
    field: 'float_val',
    bytes: 4,
    read: (v, o) => v.getFloat32(o, true),
  },
  DT_DOUBLE: {
    dtype: 'float32',
    field: 'double_val',
    bytes: 8,
    read: (v, o) => v.getFloat64(o, true),
  },
  DT_HALF: { dtype: 'float32', field: 'half_val', bytes: 2, read: (v, o) => v.getUint16(o, true) },
  DT_INT32: { dtype: 'int32', field: 'int_val', bytes: 4, read: (v, o) => v.getInt32(o, true) },
  DT_INT16: { dtype: 'int32', field: 'int_val', bytes: 2, read: (v, o) => v.getInt16(o, true) },
  DT_INT8: { dtype: 'int32', field: 'int_val', bytes: 1, read: (v, o) => v.getInt8(o) },
  DT_UINT8: { dtype: 'int32', field: 'int_val', bytes: 1, read: (v, o) => v.getUint8(o) },
  DT_UINT16: { dtype: 'int32', field: 'int_val', bytes: 2, read: (v, o) => v.getUint16(o, true) },
  DT_INT64: {
    dtype: 'int32',
    field: 'int64_val',
    bytes: 8,
    read: (v, o) => v.getBigInt64(o, true),
    range: INT32,
  },
  DT_UINT32: {
    dtype: 'int32',
    field: 'uint32_val',
    bytes: 4,
    read: (v, o) => v.getUint32(o, true),
    range: INT32,
  },
  DT_UINT64: {
    dtype: 'int32',
    field: 'uint64_val',
    bytes: 8,
    read: (v, o) => v.getBigUint64(o, true),
    range: INT32,
  },
  DT_BOOL: { dtype: 'bool', field: 'bool_val', bytes: 1, read: (v, o) => v.getUint8(o) },
  DT_STRING: { dtype: 'string', field: 'string_val', bytes: 0, read: () => 0 },
};

/** TF's short dtype names, as its error messages print them. */
export function tfTypeName(tfDtype: string): string {
  return tfDtype.replace(/^DT_/, '').toLowerCase();
}

function shapeOf(proto: TensorProtoMessage, where: string): number[] {
  if (proto.tensor_shape?.unknown_rank)
    throw new InvalidInputError(`${where}: a request tensor needs a known shape`);
  return (proto.tensor_shape?.dim ?? []).map((d) => {
    const size = Number(d.size ?? 0);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InvalidInputError(`${where}: dimension size ${String(d.size)} is not a size`);
    }
    return size;
  });
}

/** Raw values: from `tensor_content`, or the typed field padded TensorFlow's way (last value repeated). */
function rawValues(
  proto: TensorProtoMessage,
  wire: WireType,
  count: number,
  where: string,
): (number | bigint | boolean | string)[] {
  const content = proto.tensor_content;
  if (content && content.length > 0) {
    if (content.length !== count * wire.bytes) {
      throw new InvalidInputError(
        `${where}: tensor_content holds ${content.length} bytes; shape and dtype need ${count * wire.bytes}`,
      );
    }
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    return Array.from({ length: count }, (_, i) => wire.read(view, i * wire.bytes));
  }
  const given = (proto[wire.field as ValField] ?? []) as (number | string | boolean)[];
  if (given.length > count) {
    throw new InvalidInputError(
      `${where}: ${given.length} values in ${wire.field} for a shape of ${count} elements`,
    );
  }
  if (given.length === count) return given;
  // TensorFlow fills what is missing with the last value (so one value broadcasts), or zeros.
  const fill = given.length ? given[given.length - 1]! : 0;
  return [...given, ...Array<number | string | boolean>(count - given.length).fill(fill)];
}

/**
 * A request tensor as plain data. `expected` is the dtype the signature declares (TF's name);
 * as in TF Serving, another dtype is an error, not a conversion.
 */
export function decodeTensorProto(
  proto: TensorProtoMessage,
  expected: string,
  where: string,
): TensorData {
  const tfDtype = proto.dtype ?? 'DT_INVALID';
  if (tfDtype !== expected) {
    throw new InvalidInputError(
      `${where}: expects ${tfTypeName(expected)} but ${tfTypeName(tfDtype)} is provided`,
    );
  }
  const wire = WIRE_TYPES[tfDtype];
  if (!wire) throw new UnimplementedError(`${where}: dtype ${tfDtype} is not served`);
  const shape = shapeOf(proto, where);
  const count = elementCount(shape);
  if (wire.dtype === 'string') {
    const strings = proto.string_val ?? [];
    if (strings.length !== count && !(strings.length === 1 && count > 1)) {
      throw new InvalidInputError(
        `${where}: ${strings.length} values in string_val for a shape of ${count} elements`,
      );
    }
    return {
      dtype: 'string',
      shape,
      data: Array.from({ length: count }, (_, i) =>
        Uint8Array.from(strings[Math.min(i, strings.length - 1)] ?? []),
      ),
    };
  }
  const raw = rawValues(proto, wire, count, where);
  if (wire.dtype === 'bool')
    return {
      dtype: 'bool',
      shape,
      data: Uint8Array.from(raw, (v) => (v === true || Number(v) !== 0 ? 1 : 0)),
    };
  if (wire.dtype === 'float32') {
    // half_val and tensor_content both carry a half's 16 bits.
    const values = tfDtype === 'DT_HALF' ? raw.map((v) => halfToFloat(Number(v))) : raw.map(Number);
    return { dtype: 'float32', shape, data: Float32Array.from(values) };
  }
  const data = new Int32Array(count);
  raw.forEach((v, i) => {
    // 32-bit and narrower types fit by construction; only 64-bit and uint32 values are checked.
    if (!wire.range) {
      data[i] = Number(v);
      return;
    }
    const n = typeof v === 'bigint' ? v : BigInt(String(v));
    if (n < BigInt(wire.range[0]) || n > BigInt(wire.range[1])) {
      throw new InvalidInputError(
        `${where}: value ${n} does not fit int32, the type the engine computes ${tfDtype} in`,
      );
    }
    data[i] = Number(n);
  });
  return { dtype: 'int32', shape, data };
}

/** An answer tensor in TF Serving's form: the typed `*_val` field, or `tensor_content` on request. */
export function encodeTensorProto(
  tensor: TensorData,
  tfDtype: string,
  useContent = false,
): TensorProtoMessage {
  const proto: TensorProtoMessage = {
    dtype: tfDtype,
    tensor_shape: {
      dim: tensor.shape.map((size) => ({ size: String(size), name: '' })),
      unknown_rank: false,
    },
  };
  if (isStringData(tensor.data))
    return { ...proto, string_val: tensor.data.map((b) => Buffer.from(b)) };
  const values = Array.from(tensor.data);
  if (useContent) {
    const wire = WIRE_TYPES[tfDtype];
    if (wire) {
      const view = new DataView(new ArrayBuffer(values.length * wire.bytes));
      values.forEach((v, i) => writeLittleEndian(view, tfDtype, i * wire.bytes, v));
      return { ...proto, tensor_content: new Uint8Array(view.buffer) };
    }
  }
  switch (tfDtype) {
    case 'DT_FLOAT':
      return { ...proto, float_val: values };
    case 'DT_DOUBLE':
      return { ...proto, double_val: values };
    case 'DT_HALF':
      return { ...proto, half_val: values.map(floatToHalf) };
    case 'DT_BOOL':
      return { ...proto, bool_val: values.map((v) => v !== 0) };
    case 'DT_INT64':
      return { ...proto, int64_val: values.map(String) };
    case 'DT_UINT64':
      return { ...proto, uint64_val: values.map(String) };
    case 'DT_UINT32':
      return { ...proto, uint32_val: values };
    default:
      return { ...proto, int_val: values };
  }
}

function writeLittleEndian(view: DataView, tfDtype: string, offset: number, value: number): void {
  switch (tfDtype) {
    case 'DT_FLOAT':
      return view.setFloat32(offset, value, true);
    case 'DT_DOUBLE':
      return view.setFloat64(offset, value, true);
    case 'DT_INT64':
      return view.setBigInt64(offset, BigInt(value), true);
    case 'DT_UINT64':
      return view.setBigUint64(offset, BigInt(value), true);
    case 'DT_UINT32':
      return view.setUint32(offset, value, true);
    case 'DT_INT16':
      return view.setInt16(offset, value, true);
    case 'DT_UINT16':
      return view.setUint16(offset, value, true);
    case 'DT_HALF':
      return view.setUint16(offset, floatToHalf(value), true);
    case 'DT_INT8':
      return view.setInt8(offset, value);
    case 'DT_UINT8':
    case 'DT_BOOL':
      return view.setUint8(offset, value);
    default:
      return view.setInt32(offset, value, true);
  }
}
