import { type TensorDType } from './tensor-data.js';

/**
 * One element type as every seam names it: TensorFlow's `DT_*` name, the Open Inference
 * Protocol's datatype, ONNX Runtime's type name, the library dtype its values travel in, its
 * width in raw bytes, and (for integers narrowed to int32) the values that fit.
 */
export interface DtypeRow {
  /** TensorFlow's name, as TF Serving's metadata and protos write it. */
  readonly tf: string;
  /** The Open Inference Protocol's datatype, if it has one. */
  readonly v2?: string;
  /** onnxruntime-node's type name, if ONNX Runtime serves it. */
  readonly onnx?: string;
  /** The library dtype that carries the values across seams. */
  readonly dtype: TensorDType;
  /** Bytes per element in raw contents (`tensor_content`, checkpoints, v2 raw); 0 for strings. */
  readonly bytes: number;
  /** Inclusive range of an integer type, narrowed to what int32 holds. */
  readonly range?: readonly [number, number];
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The one dtype table. Every integer type travels as int32 (a value outside its range, or
 * outside int32, is refused, never wrapped) and every float type as float32, as TensorFlow.js
 * computes them; each protocol and engine maps names through this table only.
 */
export const DTYPES: readonly DtypeRow[] = [
  { tf: 'DT_FLOAT', v2: 'FP32', onnx: 'float32', dtype: 'float32', bytes: 4 },
  { tf: 'DT_DOUBLE', v2: 'FP64', onnx: 'float64', dtype: 'float32', bytes: 8 },
  { tf: 'DT_HALF', v2: 'FP16', dtype: 'float32', bytes: 2 },
  { tf: 'DT_BFLOAT16', dtype: 'float32', bytes: 2 },
  {
    tf: 'DT_INT32',
    v2: 'INT32',
    onnx: 'int32',
    dtype: 'int32',
    bytes: 4,
    range: [INT32_MIN, INT32_MAX],
  },
  {
    tf: 'DT_INT64',
    v2: 'INT64',
    onnx: 'int64',
    dtype: 'int32',
    bytes: 8,
    range: [INT32_MIN, INT32_MAX],
  },
  { tf: 'DT_INT16', v2: 'INT16', onnx: 'int16', dtype: 'int32', bytes: 2, range: [-32768, 32767] },
  { tf: 'DT_INT8', v2: 'INT8', onnx: 'int8', dtype: 'int32', bytes: 1, range: [-128, 127] },
  { tf: 'DT_UINT8', v2: 'UINT8', onnx: 'uint8', dtype: 'int32', bytes: 1, range: [0, 255] },
  { tf: 'DT_UINT16', v2: 'UINT16', onnx: 'uint16', dtype: 'int32', bytes: 2, range: [0, 65535] },
  {
    tf: 'DT_UINT32',
    v2: 'UINT32',
    onnx: 'uint32',
    dtype: 'int32',
    bytes: 4,
    range: [0, INT32_MAX],
  },
  {
    tf: 'DT_UINT64',
    v2: 'UINT64',
    onnx: 'uint64',
    dtype: 'int32',
    bytes: 8,
    range: [0, INT32_MAX],
  },
  { tf: 'DT_BOOL', v2: 'BOOL', onnx: 'bool', dtype: 'bool', bytes: 1 },
  { tf: 'DT_STRING', v2: 'BYTES', onnx: 'string', dtype: 'string', bytes: 0 },
];

/** The table's row of a `DT_*` name (a `_REF` type counts as its value type). */
export function dtypeRowOfTf(name: string | undefined): DtypeRow | undefined {
  if (!name) return undefined;
  const base = name.endsWith('_REF') ? name.slice(0, -4) : name;
  return BY_TF.get(base);
}

/** The table's row of an Open Inference datatype. */
export function dtypeRowOfV2(datatype: string): DtypeRow | undefined {
  return BY_V2.get(datatype);
}

/** The table's row of an ONNX Runtime type name. */
export function dtypeRowOfOnnx(type: string): DtypeRow | undefined {
  return BY_ONNX.get(type);
}

/** TensorFlow's `DT_*` name of each library dtype, as TF Serving writes it in metadata. */
export const TF_DTYPE_NAMES: Readonly<Record<TensorDType, string>> = {
  float32: 'DT_FLOAT',
  int32: 'DT_INT32',
  bool: 'DT_BOOL',
  string: 'DT_STRING',
};

const BY_TF = new Map(DTYPES.map((row) => [row.tf, row]));
const BY_V2 = new Map(DTYPES.flatMap((row) => (row.v2 ? [[row.v2, row] as const] : [])));
const BY_ONNX = new Map(DTYPES.flatMap((row) => (row.onnx ? [[row.onnx, row] as const] : [])));
