import { InvalidInputError } from '../errors/invalid-input.error.js';
import { stringifyV2Json } from './v2-json.js';
import { elementCount, type NumericTensorValues, type TensorData } from '../tensor/tensor-data.js';
import {
  allocate,
  type ElementInput,
  isIntegerDType,
  typedValues,
} from '../tensor/typed-values.js';
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
      `${where}: shape must be a list of non-negative integers, got ${stringifyV2Json(shape)}`,
    );
  }
  return parsed;
}

function notA(value: V2Value, datatype: V2Datatype, where: string): InvalidInputError {
  const text = value instanceof Uint8Array ? 'a byte string' : JSON.stringify(String(value));
  return new InvalidInputError(`${where}: ${text} is not a ${datatype} value`);
}

/**
 * Builds the tensor of a request input from its flat, row-major values, in the exact dtype of
 * its datatype. Typed values already of that dtype's array (raw contents) are taken as they are.
 * @throws InvalidInputError when the count does not fill the shape or a value cannot be
 *   represented in the datatype (`256` for UINT8, `1.5` for INT32), naming the range.
 */
export function tensorFromV2Values(
  datatype: V2Datatype,
  shape: readonly number[],
  values: ArrayLike<V2Value> | NumericTensorValues,
  where: string,
): TensorData {
  const count = elementCount(shape);
  if (values.length !== count) {
    throw new InvalidInputError(
      `${where}: shape ${shapeText(shape)} needs ${count} values, got ${values.length}`,
    );
  }
  const { dtype } = V2_DATATYPES[datatype];
  if (dtype === 'string') {
    return {
      dtype,
      shape,
      data: Array.from(values as ArrayLike<V2Value>, (v) => {
        if (typeof v === 'string') return encoder.encode(v);
        if (v instanceof Uint8Array) return v;
        throw notA(v, datatype, where);
      }),
    };
  }
  if (ArrayBuffer.isView(values) && values.constructor === allocate(dtype, 0).constructor) {
    return { dtype, shape, data: values };
  }
  const elements = values as ArrayLike<V2Value>;
  // A value of the wrong kind is named in the protocol's terms; one that does not fit, with its range.
  const integer = isIntegerDType(dtype);
  for (let i = 0; i < elements.length; i++) {
    const v = elements[i]!;
    const kind = dtype === 'bool' ? typeof v === 'boolean' : typeof v !== 'boolean';
    if (v instanceof Uint8Array || !kind || (!integer && typeof v === 'string')) {
      throw notA(v, datatype, where);
    }
  }
  return { dtype, shape, data: typedValues(dtype, elements as ArrayLike<ElementInput>, where) };
}
