import { DTYPES, dtypeRowOfTf, TF_DTYPE_NAMES, type TfjsDType } from '../../tensor/dtypes.js';
import { type TensorDType } from '../../tensor/tensor-data.js';

/** How one of TensorFlow's dtypes is carried, and held and computed in TensorFlow.js. */
export interface DtypeMapping {
  /** The library dtype that carries its values across seams (signatures report it). */
  readonly dtype: TensorDType;
  /** The dtype tfjs computes it in. */
  readonly tfjs: TfjsDType;
  /** Bytes per element in a checkpoint or `tensor_content`; 0 for strings. */
  readonly bytes: number;
  /** The `DT_*` name the tfjs graph declares (tfjs's parser knows only a few). */
  readonly graphName: string;
}

/** The name tfjs's graph parser knows for each carried dtype (it knows only a few). */
const GRAPH_NAMES: Readonly<Record<TfjsDType, string>> = TF_DTYPE_NAMES;

/**
 * TensorFlow dtypes this loader can run, and how, from the one dtype table: 64-bit and narrow
 * integers compute as int32 (a value outside int32 is an error, never wrapped),
 * float64/float16/bfloat16 as float32.
 */
const MAPPINGS: ReadonlyMap<string, DtypeMapping> = new Map(
  DTYPES.map((row) => [
    row.tf,
    { dtype: row.dtype, tfjs: row.tfjs, bytes: row.bytes, graphName: GRAPH_NAMES[row.tfjs] },
  ]),
);

/** The mapping of a `DT_*` name (a `_REF` type counts as its value type), if supported. */
export function dtypeMapping(name: string | undefined): DtypeMapping | undefined {
  const row = dtypeRowOfTf(name);
  return row && MAPPINGS.get(row.tf);
}

/** TensorFlow's name when the carried dtype names another (bfloat16), so metadata can report it. */
export function distinctTfDtype(name: string, dtype: TensorDType): string | undefined {
  return TF_DTYPE_NAMES[dtype] === name ? undefined : name;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Converts little-endian raw bytes of `dtype` (as checkpoints and `tensor_content` store
 * them) into the tfjs representation. Returns undefined when an integer does not fit int32,
 * with the offending element's index in `overflow.index`.
 */
export function convertRaw(
  dtype: string,
  raw: Uint8Array,
  count: number,
  overflow: { index: number; value: string } = { index: -1, value: '' },
): Float32Array | Int32Array | Uint8Array | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'DT_FLOAT':
      return raw.byteOffset % 4 === 0
        ? new Float32Array(raw.buffer, raw.byteOffset, count).slice()
        : Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case 'DT_DOUBLE':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
    case 'DT_HALF':
      return Float32Array.from({ length: count }, (_, i) =>
        halfToFloat(view.getUint16(2 * i, true)),
      );
    case 'DT_BFLOAT16':
      return Float32Array.from({ length: count }, (_, i) =>
        bfloat16ToFloat(view.getUint16(2 * i, true)),
      );
    case 'DT_BOOL':
      return Uint8Array.from(raw.subarray(0, count), (b) => (b ? 1 : 0));
    default:
      return convertInts(dtype, view, count, overflow);
  }
}

function convertInts(
  dtype: string,
  view: DataView,
  count: number,
  overflow: { index: number; value: string },
): Int32Array | undefined {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let value: number | bigint;
    switch (dtype) {
      case 'DT_INT32':
        value = view.getInt32(4 * i, true);
        break;
      case 'DT_INT16':
        value = view.getInt16(2 * i, true);
        break;
      case 'DT_INT8':
        value = view.getInt8(i);
        break;
      case 'DT_UINT8':
        value = view.getUint8(i);
        break;
      case 'DT_UINT16':
        value = view.getUint16(2 * i, true);
        break;
      case 'DT_UINT32':
        value = view.getUint32(4 * i, true);
        break;
      case 'DT_INT64':
        value = view.getBigInt64(8 * i, true);
        break;
      case 'DT_UINT64':
        value = view.getBigUint64(8 * i, true);
        break;
      default:
        return undefined;
    }
    if (value < INT32_MIN || value > INT32_MAX) {
      overflow.index = i;
      overflow.value = String(value);
      return undefined;
    }
    out[i] = Number(value);
  }
  return out;
}

/** IEEE 754 half precision bits to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 bits (the top half of a float32) to a number. */
export function bfloat16ToFloat(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}
