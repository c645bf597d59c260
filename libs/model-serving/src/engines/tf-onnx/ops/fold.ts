import { elementCount, type HostTensor, hostTensor } from '../host-tensor.js';

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/** The broadcast of two shapes (numpy rules), or undefined when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const numbersOf = (t: HostTensor) =>
  Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v : Number(v)));

/**
 * Folds an elementwise op over two constants with broadcasting; int64 stays exact (bigint).
 * Answers undefined for strings or shapes that do not broadcast.
 */
export function foldBinary(
  a: HostTensor,
  b: HostTensor,
  dtype: string,
  f: (x: number, y: number) => number,
  g: (x: bigint, y: bigint) => bigint,
): HostTensor | undefined {
  if (Array.isArray(a.data) || Array.isArray(b.data)) return undefined;
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) return undefined;
  const n = elementCount(shape);
  const xs = numbersOf(a);
  const ys = numbersOf(b);
  const outStrides = strides(shape);
  const index = (t: HostTensor, flat: number) => {
    const st = strides(t.shape);
    let k = 0;
    for (let d = 0; d < shape.length; d++) {
      const dim = t.shape[t.shape.length - shape.length + d];
      if (dim === undefined || dim === 1) continue;
      const coord = Math.floor(flat / outStrides[d]!) % shape[d]!;
      k += coord * st[t.shape.length - shape.length + d]!;
    }
    return k;
  };
  const big = dtype === 'DT_INT64' || dtype === 'DT_UINT64';
  const values: (number | bigint)[] = [];
  for (let i = 0; i < n; i++) {
    const x = xs[index(a, i)]!;
    const y = ys[index(b, i)]!;
    values.push(big ? g(BigInt(x), BigInt(y)) : f(Number(x), Number(y)));
  }
  return hostTensor(dtype, shape, values);
}

/**
 * A constant of `shape` whose element at each coordinate is `t`'s element at the offset summed
 * from `offset(d, coordinate along d)` over the axes.
 */
function reorderHost(
  t: HostTensor,
  shape: readonly number[],
  offset: (axis: number, coordinate: number) => number,
): HostTensor {
  const outStrides = strides(shape);
  const order = Array.from({ length: elementCount(shape) }, (_, i) => {
    let k = 0;
    for (let d = 0; d < shape.length; d++) {
      k += offset(d, Math.floor(i / outStrides[d]!) % shape[d]!);
    }
    return k;
  });
  if (Array.isArray(t.data)) {
    const strings = t.data as readonly Uint8Array[];
    return { dtype: t.dtype, shape, data: order.map((k) => strings[k]!) };
  }
  const src = t.data as ArrayLike<number | bigint>;
  return hostTensor(
    t.dtype,
    shape,
    order.map((k) => src[k]!),
  );
}

/** A constant with its axes permuted (dimension i of the result is dimension perm[i]). */
export function transposeHost(t: HostTensor, perm: readonly number[]): HostTensor {
  const inStrides = strides(t.shape);
  return reorderHost(
    t,
    perm.map((p) => t.shape[p]!),
    (d, coordinate) => coordinate * inStrides[perm[d]!]!,
  );
}

/**
 * Elements of a constant picked per axis: `picks[d]` lists the indices taken along axis d, in
 * order (what slicing, gathering and concatenation fold to).
 */
export function pickHost(t: HostTensor, picks: readonly (readonly number[])[]): HostTensor {
  const inStrides = strides(t.shape);
  return reorderHost(
    t,
    picks.map((p) => p.length),
    (d, coordinate) => picks[d]![coordinate]! * inStrides[d]!,
  );
}

/** Constants joined along `axis` (all of one dtype and matching other dimensions). */
export function concatHost(parts: readonly HostTensor[], axis: number): HostTensor | undefined {
  const [first] = parts;
  if (!first || parts.some((p) => Array.isArray(p.data) || p.shape.length !== first.shape.length)) {
    return undefined;
  }
  const shape = [...first.shape];
  shape[axis] = parts.reduce((n, p) => n + p.shape[axis]!, 0);
  const outer = first.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const values: (number | bigint)[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const block = p.shape.slice(axis).reduce((a, b) => a * b, 1);
      const src = p.data as ArrayLike<number | bigint>;
      for (let i = 0; i < block; i++) values.push(src[o * block + i]!);
    }
  }
  return hostTensor(first.dtype, shape, values);
}
