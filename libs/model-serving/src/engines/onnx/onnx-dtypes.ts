import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { DTYPES } from '../../tensor/dtypes.js';
import { type TensorDType } from '../../tensor/tensor-data.js';

/** How one ONNX element type crosses the library's seams. */
export interface OnnxDtype {
  /** The library's dtype that carries its values (tfjs narrows the same way). */
  readonly dtype: TensorDType;
  /** TensorFlow's name, as metadata reports it. */
  readonly tfDtype: string;
}

/**
 * onnxruntime-node's element types that this engine serves, by the type names its session
 * metadata uses, from the one dtype table. Types without an entry (float16, bfloat16, complex,
 * 4-bit) fail at load.
 */
export const ONNX_DTYPES: Readonly<Record<string, OnnxDtype>> = Object.fromEntries(
  DTYPES.flatMap((row) => (row.onnx ? [[row.onnx, { dtype: row.dtype, tfDtype: row.tf }]] : [])),
);

type OrtValues =
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

/** Copies numeric values into the typed array onnxruntime expects for `type`. */
export function toOrtValues(type: string, values: ArrayLike<number>): OrtValues {
  switch (type) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'int32':
      return values instanceof Int32Array ? values : Int32Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))));
    case 'uint8':
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
    case 'uint32':
      return Uint32Array.from(values);
    case 'uint64':
      return BigUint64Array.from(Array.from(values, (v) => BigInt(Math.max(0, Math.trunc(v)))));
    default:
      throw new Error(`onnx element type ${type} is not served`);
  }
}

/** The library's typed array for values onnxruntime answered in. */
export function fromOrtValues(
  dtype: TensorDType,
  values: ArrayLike<number | bigint>,
  what: string,
): Float32Array | Int32Array | Uint8Array {
  const numbers = (v: number | bigint) => Number(v);
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values, numbers);
    case 'int32': {
      if (values instanceof Int32Array) return values;
      const ints = Int32Array.from(values, numbers);
      // int64/uint32 values travel as int32 until the dtype table widens (TODO(#9)): never wrap.
      for (let i = 0; i < ints.length; i++) {
        if (ints[i] !== Number(values[i])) {
          throw new UnimplementedError(
            `${what} holds ${String(values[i])}, beyond the 32-bit range this server answers in`,
          );
        }
      }
      return ints;
    }
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values, numbers);
    case 'string':
      throw new Error('string values are not numeric');
  }
}
