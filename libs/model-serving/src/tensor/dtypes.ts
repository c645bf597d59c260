import { type TensorDType } from './tensor-data.js';

/** What TensorFlow.js computes in: it has no other numeric types. */
export type TfjsDType = 'float32' | 'int32' | 'bool' | 'string';

/**
 * One element type as every seam names it: TensorFlow's `DT_*` name, the Open Inference
 * Protocol's datatype, ONNX Runtime's type name, the library dtype that carries its values
 * exactly, the dtype TensorFlow.js computes it in, and its width in raw bytes.
 */
export interface DtypeRow {
  /** TensorFlow's name, as TF Serving's metadata and protos write it. */
  readonly tf: string;
  /** The Open Inference Protocol's datatype, if it has one. */
  readonly v2?: string;
  /** onnxruntime-node's type name, if ONNX Runtime serves it. */
  readonly onnx?: string;
  /** The library dtype that carries the values across seams, exactly. */
  readonly dtype: TensorDType;
  /** What the TensorFlow.js engines narrow it to, at their own seam only. */
  readonly tfjs: TfjsDType;
  /** Bytes per element in raw contents (`tensor_content`, checkpoints, v2 raw); 0 for strings. */
  readonly bytes: number;
}

/**
 * The one dtype table. Every protocol decodes into `dtype` and every engine receives it: ONNX
 * Runtime computes each type natively; the TensorFlow.js engines narrow integers to int32 (a
 * value outside int32 is a 400, never wrapped) and float64/float16 to float32, where they run.
 * bfloat16 has no carrier of its own: its values are float32 values, carried as such.
 */
export const DTYPES: readonly DtypeRow[] = [
  { tf: 'DT_FLOAT', v2: 'FP32', onnx: 'float32', dtype: 'float32', tfjs: 'float32', bytes: 4 },
  { tf: 'DT_DOUBLE', v2: 'FP64', onnx: 'float64', dtype: 'float64', tfjs: 'float32', bytes: 8 },
  { tf: 'DT_HALF', v2: 'FP16', onnx: 'float16', dtype: 'float16', tfjs: 'float32', bytes: 2 },
  { tf: 'DT_BFLOAT16', dtype: 'float32', tfjs: 'float32', bytes: 2 },
  { tf: 'DT_INT32', v2: 'INT32', onnx: 'int32', dtype: 'int32', tfjs: 'int32', bytes: 4 },
  { tf: 'DT_INT64', v2: 'INT64', onnx: 'int64', dtype: 'int64', tfjs: 'int32', bytes: 8 },
  { tf: 'DT_INT16', v2: 'INT16', onnx: 'int16', dtype: 'int16', tfjs: 'int32', bytes: 2 },
  { tf: 'DT_INT8', v2: 'INT8', onnx: 'int8', dtype: 'int8', tfjs: 'int32', bytes: 1 },
  { tf: 'DT_UINT8', v2: 'UINT8', onnx: 'uint8', dtype: 'uint8', tfjs: 'int32', bytes: 1 },
  { tf: 'DT_UINT16', v2: 'UINT16', onnx: 'uint16', dtype: 'uint16', tfjs: 'int32', bytes: 2 },
  { tf: 'DT_UINT32', v2: 'UINT32', onnx: 'uint32', dtype: 'uint32', tfjs: 'int32', bytes: 4 },
  { tf: 'DT_UINT64', v2: 'UINT64', onnx: 'uint64', dtype: 'uint64', tfjs: 'int32', bytes: 8 },
  { tf: 'DT_BOOL', v2: 'BOOL', onnx: 'bool', dtype: 'bool', tfjs: 'bool', bytes: 1 },
  { tf: 'DT_STRING', v2: 'BYTES', onnx: 'string', dtype: 'string', tfjs: 'string', bytes: 0 },
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

/** The table's row of a library dtype (the row that names it first: never bfloat16's). */
export function dtypeRow(dtype: TensorDType): DtypeRow {
  return BY_DTYPE.get(dtype)!;
}

const BY_TF = new Map(DTYPES.map((row) => [row.tf, row]));
const BY_V2 = new Map(DTYPES.flatMap((row) => (row.v2 ? [[row.v2, row] as const] : [])));
const BY_ONNX = new Map(DTYPES.flatMap((row) => (row.onnx ? [[row.onnx, row] as const] : [])));
const BY_DTYPE = new Map<TensorDType, DtypeRow>();
for (const row of DTYPES) if (!BY_DTYPE.has(row.dtype)) BY_DTYPE.set(row.dtype, row);

/** TensorFlow's `DT_*` name of each library dtype, as TF Serving writes it in metadata. */
export const TF_DTYPE_NAMES: Readonly<Record<TensorDType, string>> = Object.fromEntries(
  [...BY_DTYPE].map(([dtype, row]) => [dtype, row.tf]),
) as Record<TensorDType, string>;

/**
 * TensorFlow's name of an output as its signature declares it (`DT_INT64`, `DT_DOUBLE`…) when
 * the engine answered in that dtype or in what TensorFlow.js narrows it to; else the name of
 * the dtype the values came in.
 */
export function declaredTfName(
  spec: { readonly dtype: TensorDType; readonly tfDtype?: string } | undefined,
  carried: TensorDType,
): string {
  if (spec && (spec.dtype === carried || dtypeRow(spec.dtype).tfjs === carried)) {
    return spec.tfDtype ?? TF_DTYPE_NAMES[spec.dtype];
  }
  return TF_DTYPE_NAMES[carried];
}
