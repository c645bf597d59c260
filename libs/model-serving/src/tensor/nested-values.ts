import { InvalidInputError } from '../errors/invalid-input.error.js';
import { numberAt, typedValues } from './typed-values.js';
import {
  isStringData,
  type NestedValues,
  type TensorData,
  type TensorDType,
} from './tensor-data.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Whether a value is already a `TensorData` rather than nested arrays. */
export function isTensorData(value: unknown): value is TensorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    'dtype' in value &&
    'shape' in value &&
    'data' in value
  );
}

/**
 * Turns nested JS arrays into a tensor of `dtype`: the shape follows the first element at each
 * level, and every list must match it (no ragged lists). `where` names the input in errors.
 */
export function nestedToTensor(
  values: NestedValues,
  dtype: TensorDType,
  where: string,
): TensorData {
  const shape: number[] = [];
  for (
    let level: NestedValues = values;
    Array.isArray(level);
    level = (level as NestedValues[])[0]!
  ) {
    shape.push((level as NestedValues[]).length);
    if ((level as NestedValues[]).length === 0) break;
  }
  const flat: NestedValues[] = [];
  const walk = (value: NestedValues, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(value))
        throw new InvalidInputError(`${where}: a list is nested deeper than the others`);
      flat.push(value);
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      throw new InvalidInputError(
        `${where}: lists are ragged; every list at depth ${depth} must hold ${shape[depth]} values`,
      );
    }
    for (const item of value as NestedValues[]) walk(item, depth + 1);
  };
  walk(values, 0);
  if (dtype === 'string') {
    return {
      dtype,
      shape,
      data: flat.map((v) => {
        if (typeof v === 'string') return encoder.encode(v);
        if (v instanceof Uint8Array) return v;
        throw new InvalidInputError(`${where}: ${JSON.stringify(v)} is not a string value`);
      }),
    };
  }
  const elements = flat.map((v) => {
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
    throw new InvalidInputError(`${where}: ${JSON.stringify(v)} is not a ${dtype} value`);
  });
  return { dtype, shape, data: typedValues(dtype, elements, where) };
}

/**
 * A tensor as nested JS arrays: strings decoded as UTF-8, booleans as booleans, int64/uint64
 * values as bigints (exact), float16 values as numbers.
 */
export function tensorToNested(tensor: TensorData): NestedValues {
  const { data, dtype } = tensor;
  const values: NestedValues[] = isStringData(data)
    ? data.map((b) => decoder.decode(b))
    : dtype === 'bool'
      ? Array.from(data as Uint8Array, (v) => v !== 0)
      : Array.from({ length: data.length }, (_, i) =>
          dtype === 'float16' ? numberAt(data, dtype, i) : data[i]!,
        );
  if (tensor.shape.length === 0) return values[0] ?? [];
  let level: NestedValues[] = values;
  for (let d = tensor.shape.length - 1; d > 0; d--) {
    const size = tensor.shape[d]!;
    const next: NestedValues[] = [];
    for (let i = 0; i < level.length; i += size) next.push(level.slice(i, i + size));
    level = next;
  }
  return level;
}
