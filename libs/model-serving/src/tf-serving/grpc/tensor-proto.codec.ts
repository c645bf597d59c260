import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { dtypeRowOfTf } from '../../tensor/dtypes.js';
import { floatToHalf } from '../../tensor/float16.js';
import {
  elementCount,
  isStringData,
  type NumericDType,
  type NumericTensorValues,
  type TensorData,
} from '../../tensor/tensor-data.js';
import {
  allocate,
  bytesPerElement,
  castValues,
  type ElementInput,
  fromRawBytes,
  numberAt,
  rawBytes,
  typedValues,
} from '../../tensor/typed-values.js';

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

/**
 * The typed `*_val` field of each TensorFlow dtype a request may carry; the dtype that carries
 * its values and the raw width come from the one dtype table.
 */
const FIELDS: Readonly<Record<string, ValField | 'string_val'>> = {
  DT_FLOAT: 'float_val',
  DT_DOUBLE: 'double_val',
  DT_HALF: 'half_val',
  DT_INT32: 'int_val',
  DT_INT16: 'int_val',
  DT_INT8: 'int_val',
  DT_UINT8: 'int_val',
  DT_UINT16: 'int_val',
  DT_INT64: 'int64_val',
  DT_UINT32: 'uint32_val',
  DT_UINT64: 'uint64_val',
  DT_BOOL: 'bool_val',
  DT_STRING: 'string_val',
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

/**
 * The values: from `tensor_content` (little-endian), or the typed field padded TensorFlow's way
 * (the last value repeated, so one value broadcasts; zeros when there is none). Each is checked
 * against the dtype: a value it cannot represent (300 in int_val for DT_UINT8) is refused,
 * never wrapped.
 */
function numericValues(
  proto: TensorProtoMessage,
  dtype: NumericDType,
  field: ValField,
  count: number,
  where: string,
): NumericTensorValues {
  const content = proto.tensor_content;
  if (content && content.length > 0) {
    const bytes = bytesPerElement(dtype);
    if (content.length !== count * bytes) {
      throw new InvalidInputError(
        `${where}: tensor_content holds ${content.length} bytes; shape and dtype need ${count * bytes}`,
      );
    }
    return fromRawBytes(dtype, content, count);
  }
  const given = (proto[field] ?? []) as ElementInput[];
  if (given.length > count) {
    throw new InvalidInputError(
      `${where}: ${given.length} values in ${field} for a shape of ${count} elements`,
    );
  }
  if (given.length === 0) return allocate(dtype, count);
  const padded =
    given.length === count
      ? given
      : [...given, ...Array<ElementInput>(count - given.length).fill(given[given.length - 1]!)];
  // half_val carries each half's 16 bits, which is how float16 values are held.
  if (dtype === 'float16') return typedValues('uint16', padded, where);
  return typedValues(dtype, padded, where);
}

/**
 * A request tensor as plain data, in the exact dtype the table gives its TensorFlow dtype.
 * `expected` is the dtype the signature declares (TF's name); as in TF Serving, another dtype
 * is an error, not a conversion.
 * @throws InvalidInputError for another dtype, a bad shape or size, or a value the dtype cannot represent.
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
  const field = FIELDS[tfDtype];
  const dtype = dtypeRowOfTf(tfDtype)?.dtype;
  if (!field || !dtype) throw new UnimplementedError(`${where}: dtype ${tfDtype} is not served`);
  const shape = shapeOf(proto, where);
  const count = elementCount(shape);
  if (field === 'string_val' || dtype === 'string') {
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
  return { dtype, shape, data: numericValues(proto, dtype, field, count, where) };
}

/**
 * An answer tensor in TF Serving's form: the typed `*_val` field of `tfDtype` (int64 values as
 * decimal strings, all digits), or little-endian `tensor_content` on request. The values may
 * come in a narrower dtype than `tfDtype` names (what TensorFlow.js computed); they are written
 * as `tfDtype`'s field holds them.
 */
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
  const { data } = tensor;
  if (isStringData(data)) return { ...proto, string_val: data.map((b) => Buffer.from(b)) };
  const from = tensor.dtype as NumericDType;
  const target = dtypeRowOfTf(tfDtype)?.dtype;
  if (useContent && target && target !== 'string' && FIELDS[tfDtype]) {
    const values = castValues(data, from, target, 'output');
    return { ...proto, tensor_content: Buffer.from(rawBytes(values)) };
  }
  const each = <T>(f: (i: number) => T): T[] => Array.from({ length: data.length }, (_, i) => f(i));
  const number = (i: number) => numberAt(data, from, i);
  // Dtypes without a field of their own are written in int_val, as TF Serving does.
  const field: ValField | 'string_val' = FIELDS[tfDtype] ?? 'int_val';
  switch (field) {
    case 'float_val':
      return { ...proto, float_val: each(number) };
    case 'double_val':
      return { ...proto, double_val: each(number) };
    case 'half_val':
      return {
        ...proto,
        half_val:
          from === 'float16' ? each((i) => Number(data[i])) : each((i) => floatToHalf(number(i))),
      };
    case 'bool_val':
      return { ...proto, bool_val: each((i) => number(i) !== 0) };
    case 'int64_val':
      return { ...proto, int64_val: each((i) => String(data[i])) };
    case 'uint64_val':
      return { ...proto, uint64_val: each((i) => String(data[i])) };
    case 'uint32_val':
      return { ...proto, uint32_val: each(number) };
    case 'int_val':
    case 'string_val': // a numeric tensor declared DT_STRING cannot happen
      return { ...proto, int_val: each(number) };
  }
}
