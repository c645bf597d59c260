import { elementCount, isStringData, type TensorData } from '../tensor/tensor-data.js';

/**
 * What every numeric typed array offers, whatever its element type: batching copies elements
 * and never reads them, so it works for any dtype through the array's own constructor.
 */
interface TypedValues {
  readonly length: number;
  readonly constructor: new (length: number) => TypedValues;
  [index: number]: unknown;
  set(values: TypedValues, offset?: number): void;
  subarray(start?: number, end?: number): TypedValues;
  slice(start?: number, end?: number): TypedValues;
}

const typed = (data: TensorData['data']): TypedValues => data as unknown as TypedValues;
const untyped = (values: TypedValues): TensorData['data'] =>
  values as unknown as TensorData['data'];

/** Elements of one example (row along dimension 0). */
const rowLength = (shape: readonly number[]): number => elementCount(shape.slice(1));

/**
 * Concatenates tensors of one dtype and one inner shape along dimension 0.
 */
export function concatRows(tensors: readonly TensorData[]): TensorData {
  const [first] = tensors;
  if (!first) throw new RangeError('concatRows needs at least one tensor');
  if (tensors.length === 1) return first;
  const rows = tensors.reduce((n, t) => n + (t.shape[0] ?? 0), 0);
  const shape = [rows, ...first.shape.slice(1)];
  if (isStringData(first.data)) {
    const data = tensors.flatMap((t) => t.data as readonly Uint8Array[]);
    return { dtype: first.dtype, shape, data };
  }
  const out = new (typed(first.data).constructor)(rows * rowLength(first.shape));
  let offset = 0;
  for (const t of tensors) {
    out.set(typed(t.data), offset);
    offset += typed(t.data).length;
  }
  return { dtype: first.dtype, shape, data: untyped(out) };
}

/** Rows `[start, end)` along dimension 0, copied (the result never aliases the batch). */
export function sliceRows(tensor: TensorData, start: number, end: number): TensorData {
  const n = rowLength(tensor.shape);
  const shape = [end - start, ...tensor.shape.slice(1)];
  const data = isStringData(tensor.data)
    ? tensor.data.slice(start * n, end * n)
    : untyped(typed(tensor.data).slice(start * n, end * n));
  return { dtype: tensor.dtype, shape, data };
}

/**
 * Pads a tensor to `rows` examples by repeating its first example, as TF Serving's batching
 * session pads a batch up to an allowed size (padding rows computed from real data keep
 * models free of NaNs and out-of-vocabulary ids that zeros could cause).
 */
export function padRows(tensor: TensorData, rows: number): TensorData {
  const have = tensor.shape[0] ?? 0;
  if (rows <= have) return tensor;
  const n = rowLength(tensor.shape);
  const shape = [rows, ...tensor.shape.slice(1)];
  if (isStringData(tensor.data)) {
    const first = tensor.data.slice(0, n);
    const data = [...tensor.data];
    for (let r = have; r < rows; r++) data.push(...first);
    return { dtype: tensor.dtype, shape, data };
  }
  const source = typed(tensor.data);
  const out = new source.constructor(rows * n);
  out.set(source, 0);
  const first = source.subarray(0, n);
  for (let r = have; r < rows; r++) out.set(first, r * n);
  return { dtype: tensor.dtype, shape, data: untyped(out) };
}

/**
 * Pads every dimension after the first up to `inner` (each at least the tensor's own), with
 * zeros, or empty strings for `string` tensors, after the existing values: TF Serving's
 * `pad_variable_length_inputs`.
 */
export function padInner(tensor: TensorData, inner: readonly number[]): TensorData {
  const from = tensor.shape;
  const to = [from[0] ?? 0, ...inner];
  if (to.every((d, i) => d === from[i])) return tensor;
  const total = elementCount(to);
  const strings = isStringData(tensor.data);
  const source = strings ? undefined : typed(tensor.data);
  const out: unknown[] | TypedValues = source
    ? new source.constructor(total)
    : Array.from({ length: total }, () => new Uint8Array(0));
  // Strides of the padded shape, to place each source element by its multi-index.
  const strides = to.map((_, i) => elementCount(to.slice(i + 1)));
  const index = from.map(() => 0);
  const count = elementCount(from);
  for (let k = 0; k < count; k++) {
    let target = 0;
    for (let i = 0; i < index.length; i++) target += (index[i] ?? 0) * (strides[i] ?? 0);
    out[target] = source ? source[k] : (tensor.data as readonly Uint8Array[])[k];
    for (let i = index.length - 1; i >= 0; i--) {
      const next = (index[i] ?? 0) + 1;
      if (next < (from[i] ?? 0)) {
        index[i] = next;
        break;
      }
      index[i] = 0;
    }
  }
  const data = source ? untyped(out as TypedValues) : (out as Uint8Array[]);
  return { dtype: tensor.dtype, shape: to, data };
}

type Tensors = Record<string, TensorData>;

/** Applies `f` to each tensor of a record, keeping the aliases. */
export function mapTensors(
  tensors: Readonly<Tensors>,
  f: (tensor: TensorData, alias: string) => TensorData,
): Tensors {
  return Object.fromEntries(Object.entries(tensors).map(([alias, t]) => [alias, f(t, alias)]));
}

/**
 * Requests of equal keys may share a batch: same input aliases and dtypes, same inner
 * dimensions (only the same ranks when `padVariable`), same requested outputs.
 */
export function batchKey(
  inputs: Readonly<Tensors>,
  outputs: readonly string[] | undefined,
  padVariable: boolean,
): string {
  const parts = Object.keys(inputs)
    .sort()
    .map((alias) => {
      const t = inputs[alias] as TensorData;
      const inner = padVariable ? `rank ${t.shape.length}` : t.shape.slice(1).join('x');
      return `${JSON.stringify(alias)}:${t.dtype}[${inner}]`;
    });
  const wanted = outputs ? JSON.stringify([...outputs].sort()) : '*';
  return `${parts.join(',')}->${wanted}`;
}

/**
 * The inputs of a batch: each alias concatenated over the requests (first zero-padded to the
 * largest inner dimensions when `padVariable`), then padded up to `rows` examples.
 */
export function concatBatch(
  requests: readonly Readonly<Tensors>[],
  rows: number,
  padVariable: boolean,
): Tensors {
  return mapTensors(requests[0] ?? {}, (_, alias) => {
    let parts = requests.map((r) => r[alias] as TensorData);
    if (padVariable) {
      const inner = (parts[0] as TensorData).shape
        .slice(1)
        .map((_d, i) => Math.max(...parts.map((p) => p.shape[i + 1] ?? 0)));
      parts = parts.map((p) => padInner(p, inner));
    }
    return padRows(concatRows(parts), rows);
  });
}
