import { InvalidInputError } from '../errors/invalid-input.error.js';
import { elementCount, type TensorData } from '../tensor/tensor-data.js';
import { V2_DATATYPES, type V2Datatype } from './v2-datatype.js';

/** One element as the protocols carry it (gRPC hands 64-bit integers over as strings). */
export type V2Value = number | boolean | string | bigint | Uint8Array;

const encoder = new TextEncoder();

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Checks a request tensor's shape: a list of non-negative integers.
 * @throws InvalidInputError naming the tensor.
 */
export function readV2Shape(shape: unknown, where: string): number[] {
  const dims = Array.isArray(shape) ? (shape as unknown[]) : undefined;
  const parsed = dims?.map((d) => (typeof d === 'string' && /^\d+$/.test(d) ? Number(d) : d));
  if (
    !parsed?.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw new InvalidInputError(
      `${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  return parsed;
}

function readInteger(value: V2Value, datatype: V2Datatype, where: string): number {
  let n: number | bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
  if (n === undefined) throw notA(value, datatype, where);
  const [min, max] = V2_DATATYPES[datatype].range!;
  if (n < min || n > max) {
    throw new InvalidInputError(
      `${where}: ${String(value)} is out of range for ${datatype} (the engine computes integers in int32; accepted: ${min} to ${max})`,
    );
  }
  return Number(n);
}

function notA(value: V2Value, datatype: V2Datatype, where: string): InvalidInputError {
  const text = value instanceof Uint8Array ? 'a byte string' : JSON.stringify(String(value));
  return new InvalidInputError(`${where}: ${text} is not a ${datatype} value`);
}

/**
 * Builds the engine tensor of a request input from its flat, row-major values.
 * @throws InvalidInputError when the count does not fill the shape or a value does not fit the datatype.
 */
export function tensorFromV2Values(
  datatype: V2Datatype,
  shape: readonly number[],
  values: ArrayLike<V2Value>,
  where: string,
): TensorData {
  const count = elementCount(shape);
  if (values.length !== count) {
    throw new InvalidInputError(
      `${where}: shape ${shapeText(shape)} needs ${count} values, got ${values.length}`,
    );
  }
  const info = V2_DATATYPES[datatype];
  const each = <T>(read: (v: V2Value) => T): T[] => Array.from(values, read);
  switch (info.dtype) {
    case 'string':
      return {
        dtype: 'string',
        shape,
        data: each((v) => {
          if (typeof v === 'string') return encoder.encode(v);
          if (v instanceof Uint8Array) return v;
          throw notA(v, datatype, where);
        }),
      };
    case 'bool':
      return {
        dtype: 'bool',
        shape,
        data: Uint8Array.from(
          each((v) => {
            if (typeof v !== 'boolean') throw notA(v, datatype, where);
            return v ? 1 : 0;
          }),
        ),
      };
    case 'int32':
      return {
        dtype: 'int32',
        shape,
        data:
          values instanceof Int32Array
            ? values
            : Int32Array.from(each((v) => readInteger(v, datatype, where))),
      };
    case 'float32':
      return {
        dtype: 'float32',
        shape,
        data:
          values instanceof Float32Array
            ? values
            : Float32Array.from(
                each((v) => {
                  if (typeof v !== 'number') throw notA(v, datatype, where);
                  return v;
                }),
              ),
      };
  }
}
