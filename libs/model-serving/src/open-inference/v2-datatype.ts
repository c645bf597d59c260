import { InvalidInputError } from '../errors/invalid-input.error.js';
import { stringifyV2Json } from './v2-json.js';
import { type TensorSpec } from '../models/signature.js';
import { DTYPES, dtypeRowOfTf, TF_DTYPE_NAMES } from '../tensor/dtypes.js';
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

/** How a v2 datatype is carried (exactly) and laid out in raw contents. */
export interface V2DatatypeInfo {
  /** The library dtype that carries its values. */
  readonly dtype: TensorDType;
  /** Bytes per element in raw contents; 0 for BYTES (each element is length-prefixed). */
  readonly bytes: number;
}

/** Every v2 datatype the server reads and writes, from the one dtype table. */
export const V2_DATATYPES: Readonly<Record<V2Datatype, V2DatatypeInfo>> = Object.fromEntries(
  DTYPES.flatMap((row) => (row.v2 ? [[row.v2, { dtype: row.dtype, bytes: row.bytes }]] : [])),
) as Record<V2Datatype, V2DatatypeInfo>;

/** The v2 datatype of a signature tensor: its declared TensorFlow dtype when it has one. */
export function v2DatatypeOf(spec: Pick<TensorSpec, 'dtype' | 'tfDtype'>): V2Datatype {
  const declared = spec.tfDtype !== undefined ? dtypeRowOfTf(spec.tfDtype)?.v2 : undefined;
  return (declared ?? dtypeRowOfTf(TF_DTYPE_NAMES[spec.dtype])!.v2) as V2Datatype;
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
    `${where}: unsupported datatype ${stringifyV2Json(value)}; expected one of ${Object.keys(V2_DATATYPES).join(', ')}`,
  );
}
