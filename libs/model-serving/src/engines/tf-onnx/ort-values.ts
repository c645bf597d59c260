import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type TensorData } from '../../tensor/tensor-data.js';

type TypedArray =
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

type TypedArrayClass = {
  new (length: number): TypedArray;
};

/** The typed array of each element type, by ONNX Runtime's and the library's names. */
const ARRAYS: Readonly<Record<string, TypedArrayClass>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/**
 * `values` in a typed array of `type`: the same array when it already is one, else copied
 * element by element. An integer that does not survive the copy (beyond the target's range)
 * is refused, never wrapped.
 */
function convert(type: string, values: ArrayLike<number | bigint>, what: string): TypedArray {
  const Target = ARRAYS[type];
  if (!Target)
    throw new UnimplementedError(`${what} has element type ${type}, which is not served`);
  if (values instanceof Target && !(type === 'bool' && !(values instanceof Uint8Array))) {
    return values;
  }
  const out = new Target(values.length);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const float = out instanceof Float32Array || out instanceof Float64Array;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (big) {
      (out as BigInt64Array)[i] = BigInt(typeof v === 'bigint' ? v : Math.trunc(v));
    } else {
      const slots = out as unknown as number[];
      slots[i] = type === 'bool' ? (Number(v) ? 1 : 0) : Number(v);
      if (!float && type !== 'bool' && slots[i] !== Number(v)) {
        throw new UnimplementedError(
          `${what} holds ${String(v)}, beyond the range of ${type} it is answered in`,
        );
      }
    }
  }
  return out;
}

/** A tensor's numeric values as ONNX Runtime takes them for an input of element type `type`. */
export function toOrtData(type: string, data: TensorData['data'], what: string): TypedArray {
  return convert(type, data as ArrayLike<number | bigint>, what);
}

/** ONNX Runtime's answer as the library's values of `dtype` (the signature's). */
export function fromOrtData(
  dtype: TensorData['dtype'],
  values: ArrayLike<number | bigint>,
  what: string,
): TensorData['data'] {
  // A typed array of the signature's dtype is what TensorData holds for it.
  const data: unknown = convert(dtype, values, what);
  return data as TensorData['data'];
}
