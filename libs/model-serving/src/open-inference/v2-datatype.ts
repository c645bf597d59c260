import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type TensorSpec } from '../models/signature.js';
import { type TensorDType } from '../tensor/tensor-data.js';

/** The Open Inference Protocol's tensor data types. */
export type V2Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

/** How a v2 datatype is held by the engine and laid out in raw contents. */
export interface V2DatatypeInfo {
  /** The dtype the engine computes it in. */
  readonly dtype: TensorDType;
  /** Bytes per element in raw contents; 0 for BYTES (each element is length-prefixed). */
  readonly bytes: number;
  /** Inclusive range of an integer type, narrowed to what the engine's int32 holds. */
  readonly range?: readonly [number, number];
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_RANGE: readonly [number, number] = [-(2 ** 31), INT32_MAX];

/** Every v2 datatype the server reads and writes. */
export const V2_DATATYPES: Readonly<Record<V2Datatype, V2DatatypeInfo>> = {
  BOOL: { dtype: 'bool', bytes: 1 },
  UINT8: { dtype: 'int32', bytes: 1, range: [0, 255] },
  UINT16: { dtype: 'int32', bytes: 2, range: [0, 65535] },
  // tfjs computes every integer type in int32: wider values cannot be represented.
  UINT32: { dtype: 'int32', bytes: 4, range: [0, INT32_MAX] },
  UINT64: { dtype: 'int32', bytes: 8, range: [0, INT32_MAX] },
  INT8: { dtype: 'int32', bytes: 1, range: [-128, 127] },
  INT16: { dtype: 'int32', bytes: 2, range: [-32768, 32767] },
  INT32: { dtype: 'int32', bytes: 4, range: INT32_RANGE },
  INT64: { dtype: 'int32', bytes: 8, range: INT32_RANGE },
  FP16: { dtype: 'float32', bytes: 2 },
  FP32: { dtype: 'float32', bytes: 4 },
  FP64: { dtype: 'float32', bytes: 8 },
  BYTES: { dtype: 'string', bytes: 0 },
};

/** TensorFlow's `DT_*` names as v2 datatypes. */
const FROM_TF_DTYPE: Readonly<Record<string, V2Datatype>> = {
  DT_BOOL: 'BOOL',
  DT_UINT8: 'UINT8',
  DT_UINT16: 'UINT16',
  DT_UINT32: 'UINT32',
  DT_UINT64: 'UINT64',
  DT_INT8: 'INT8',
  DT_INT16: 'INT16',
  DT_INT32: 'INT32',
  DT_INT64: 'INT64',
  DT_HALF: 'FP16',
  DT_FLOAT: 'FP32',
  DT_DOUBLE: 'FP64',
  DT_STRING: 'BYTES',
};

const FROM_DTYPE: Readonly<Record<TensorDType, V2Datatype>> = {
  float32: 'FP32',
  int32: 'INT32',
  bool: 'BOOL',
  string: 'BYTES',
};

/** The v2 datatype of a signature tensor: its declared TensorFlow dtype when it has one. */
export function v2DatatypeOf(spec: Pick<TensorSpec, 'dtype' | 'tfDtype'>): V2Datatype {
  return (
    (spec.tfDtype !== undefined ? FROM_TF_DTYPE[spec.tfDtype] : undefined) ?? FROM_DTYPE[spec.dtype]
  );
}

/** Whether a string names a v2 datatype. */
export function isV2Datatype(value: unknown): value is V2Datatype {
  return typeof value === 'string' && Object.hasOwn(V2_DATATYPES, value);
}

/**
 * Reads a request tensor's datatype.
 * @throws InvalidInputError when it is not one of the protocol's datatypes.
 */
export function parseV2Datatype(value: unknown, where: string): V2Datatype {
  if (isV2Datatype(value)) return value;
  throw new InvalidInputError(
    `${where}: unsupported datatype ${JSON.stringify(value)}; expected one of ${Object.keys(V2_DATATYPES).join(', ')}`,
  );
}
