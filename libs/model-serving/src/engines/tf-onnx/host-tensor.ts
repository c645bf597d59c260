import { ModelLoadError } from '../../errors/model-load.error.js';
import { ONNX_TYPE } from '../onnx/onnx-model-writer.js';
import { knownShape } from '../saved-model/tensor-values.js';
import { bfloat16ToFloat, halfToFloat } from '../saved-model/tf-dtypes.js';
import { type TensorProtoMsg } from '../saved-model/tf-messages.js';

/** The values of a constant, in a typed array of exactly its TensorFlow dtype. */
export type HostData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/**
 * A constant known at translation time: a `Const` node's TensorProto, a frozen variable, or a
 * value folded from them. Unlike tfjs's weights it keeps its dtype (int64, uint8, double).
 */
export interface HostTensor {
  /** TensorFlow's `DT_*` name. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Numeric values, or the elements of a `DT_STRING` tensor. */
  readonly data: HostData | readonly Uint8Array[];
}

/** A typed-array constructor of a HostData kind. */
interface HostArray {
  new (length: number): HostData;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): HostData;
}

interface DtypeInfo {
  readonly onnx: number;
  readonly bytes: number;
  readonly array: HostArray;
}

/** TensorFlow dtypes a translated graph carries (half and bfloat16 become float). */
const DTYPES: Readonly<Record<string, DtypeInfo>> = {
  DT_FLOAT: { onnx: ONNX_TYPE.float, bytes: 4, array: Float32Array },
  DT_DOUBLE: { onnx: ONNX_TYPE.double, bytes: 8, array: Float64Array },
  DT_INT8: { onnx: ONNX_TYPE.int8, bytes: 1, array: Int8Array },
  DT_INT16: { onnx: ONNX_TYPE.int16, bytes: 2, array: Int16Array },
  DT_INT32: { onnx: ONNX_TYPE.int32, bytes: 4, array: Int32Array },
  DT_INT64: { onnx: ONNX_TYPE.int64, bytes: 8, array: BigInt64Array },
  DT_UINT8: { onnx: ONNX_TYPE.uint8, bytes: 1, array: Uint8Array },
  DT_UINT16: { onnx: ONNX_TYPE.uint16, bytes: 2, array: Uint16Array },
  DT_UINT32: { onnx: ONNX_TYPE.uint32, bytes: 4, array: Uint32Array },
  DT_UINT64: { onnx: ONNX_TYPE.uint64, bytes: 8, array: BigUint64Array },
  DT_BOOL: { onnx: ONNX_TYPE.bool, bytes: 1, array: Uint8Array },
};

/** The dtype a translated graph carries a TensorFlow dtype in (`_REF`s and half-floats fold). */
export function carriedDtype(dtype: string): string {
  const base = dtype.endsWith('_REF') ? dtype.slice(0, -4) : dtype;
  return base === 'DT_HALF' || base === 'DT_BFLOAT16' ? 'DT_FLOAT' : base;
}

/** ONNX's element type of a TensorFlow dtype, or undefined when ONNX has none here. */
export function onnxType(dtype: string): number | undefined {
  const carried = carriedDtype(dtype);
  return carried === 'DT_STRING' ? ONNX_TYPE.string : DTYPES[carried]?.onnx;
}

/** Whether values of `dtype` are floating point. */
export const isFloat = (dtype: string) => dtype === 'DT_FLOAT' || dtype === 'DT_DOUBLE';

export const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A new tensor of `dtype` holding `values` (numbers; int64 ones as bigints). */
export function hostTensor(
  dtype: string,
  shape: readonly number[],
  values: ArrayLike<number | bigint>,
): HostTensor {
  const info = DTYPES[dtype];
  if (!info) throw new ModelLoadError(`dtype ${dtype} cannot be folded`);
  const data = new info.array(values.length);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    (data as unknown as (number | bigint)[])[i] = big
      ? BigInt(typeof v === 'bigint' ? v : Math.trunc(v))
      : Number(v);
  }
  return { dtype, shape: [...shape], data };
}

/** A constant's values as numbers (for folding shapes and indices). */
export function hostNumbers(tensor: HostTensor): number[] {
  if (Array.isArray(tensor.data)) throw new ModelLoadError('string values are not numeric');
  return Array.from(tensor.data as ArrayLike<number | bigint>, (v) => Number(v));
}

function typedValues(tensor: TensorProtoMsg, dtype: string): (number | string | boolean)[] {
  switch (dtype) {
    case 'DT_FLOAT':
      return tensor.floatVal ?? [];
    case 'DT_DOUBLE':
      return tensor.doubleVal ?? [];
    case 'DT_INT64':
      return tensor.int64Val ?? [];
    case 'DT_UINT32':
      return tensor.uint32Val ?? [];
    case 'DT_UINT64':
      return tensor.uint64Val ?? [];
    case 'DT_BOOL':
      return tensor.boolVal ?? [];
    default:
      return tensor.intVal ?? [];
  }
}

/**
 * The value of a TensorProto in its own dtype: `tensor_content` is copied as it is, typed fields
 * shorter than the shape repeat their last value (TensorFlow's rule). Half-floats become float.
 * @throws ModelLoadError naming `node` for an unknown shape, a dtype ONNX lacks or a size mismatch
 */
export function fromTensorProto(node: string, tensor: TensorProtoMsg): HostTensor {
  const declared = tensor.dtype ?? 'DT_INVALID';
  const shape = knownShape(tensor.tensorShape ?? {});
  if (!shape) throw new ModelLoadError(`constant '${node}' has no fully known shape`);
  const n = elementCount(shape);
  if (declared === 'DT_STRING') {
    const strings = tensor.stringVal ?? [];
    const last = strings[strings.length - 1] ?? new Uint8Array(0);
    return {
      dtype: declared,
      shape,
      data: Array.from({ length: n }, (_, i) => strings[i] ?? last),
    };
  }
  if (declared === 'DT_HALF' || declared === 'DT_BFLOAT16') {
    const toFloat = declared === 'DT_HALF' ? halfToFloat : bfloat16ToFloat;
    const raw = tensor.tensorContent;
    const halves =
      raw && raw.length > 0
        ? Array.from({ length: n }, (_, i) => raw[2 * i]! | (raw[2 * i + 1]! << 8))
        : (tensor.halfVal ?? []);
    const last = halves[halves.length - 1] ?? 0;
    return hostTensor(
      'DT_FLOAT',
      shape,
      Array.from({ length: n }, (_, i) => toFloat(halves[i] ?? last)),
    );
  }
  const info = DTYPES[declared];
  if (!info) throw new ModelLoadError(`constant '${node}' has dtype ${declared}, which ONNX lacks`);
  const raw = tensor.tensorContent;
  if (raw && raw.length > 0) {
    if (raw.length !== n * info.bytes) {
      throw new ModelLoadError(
        `constant '${node}' holds ${raw.length} bytes, its shape [${shape.join(', ')}] needs ${n * info.bytes}`,
      );
    }
    const data = new info.array(n);
    new Uint8Array(data.buffer).set(raw);
    return { dtype: declared, shape, data };
  }
  const given = typedValues(tensor, declared);
  const last = given[given.length - 1] ?? 0;
  const big = declared === 'DT_INT64' || declared === 'DT_UINT64';
  const values = Array.from({ length: n }, (_, i) => {
    const v = given[i] ?? last;
    return big ? BigInt(typeof v === 'boolean' ? Number(v) : v) : Number(v);
  });
  return hostTensor(declared, shape, values);
}

/**
 * A tensor from little-endian bytes of its own dtype that the caller hands over (a checkpoint
 * entry just read): viewed in place, not copied; half-floats become float.
 */
export function fromOwnBytes(
  node: string,
  dtype: string,
  shape: readonly number[],
  bytes: Uint8Array,
): HostTensor {
  const info = DTYPES[dtype];
  const n = elementCount(shape);
  if (info && bytes.byteOffset % info.bytes === 0 && bytes.byteLength === n * info.bytes) {
    return { dtype, shape: [...shape], data: new info.array(bytes.buffer, bytes.byteOffset, n) };
  }
  const tensorShape = { dim: shape.map((size) => ({ size: String(size) })) };
  return fromTensorProto(node, { dtype, tensorShape, tensorContent: bytes });
}

/** A constant as an ONNX initializer named `name`. */
export function toInitializer(name: string, tensor: HostTensor) {
  const type = onnxType(tensor.dtype);
  if (type === undefined) throw new ModelLoadError(`dtype ${tensor.dtype} has no ONNX type`);
  return Array.isArray(tensor.data)
    ? { name, type, dims: tensor.shape, strings: tensor.data as readonly Uint8Array[] }
    : { name, type, dims: tensor.shape, data: tensor.data as HostData };
}
