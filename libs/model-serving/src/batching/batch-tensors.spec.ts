import { type TensorData } from '../tensor/tensor-data.js';
import {
  batchKey,
  concatBatch,
  concatRows,
  padInner,
  padRows,
  sliceRows,
} from './batch-tensors.js';

const f32 = (shape: number[], values: number[]): TensorData => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});
const str = (shape: number[], values: string[]): TensorData => ({
  dtype: 'string',
  shape,
  data: values.map((v) => new TextEncoder().encode(v)),
});
const texts = (t: TensorData): string[] =>
  (t.data as readonly Uint8Array[]).map((b) => new TextDecoder().decode(b));

describe('batch tensors', () => {
  it('concatenates rows keeping the typed array type', () => {
    const a: TensorData = { dtype: 'int32', shape: [1, 2], data: Int32Array.from([1, 2]) };
    const b: TensorData = { dtype: 'int32', shape: [2, 2], data: Int32Array.from([3, 4, 5, 6]) };
    const c = concatRows([a, b]);
    expect(c.shape).toEqual([3, 2]);
    expect(c.data).toBeInstanceOf(Int32Array);
    expect([...(c.data as Int32Array)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps int64 beyond 2^53 and float16 bits exact through concat, pad and slice', () => {
    const big = 2n ** 62n + 1n;
    const a: TensorData = { dtype: 'int64', shape: [1, 2], data: BigInt64Array.of(big, -big) };
    const b: TensorData = { dtype: 'int64', shape: [1, 1], data: BigInt64Array.of(7n) };
    const padded = concatRows([a, padInner(b, [2])]);
    expect(padded.data).toBeInstanceOf(BigInt64Array);
    expect([...(padded.data as BigInt64Array)]).toEqual([big, -big, 7n, 0n]);
    const rows = padRows(padded, 4);
    expect([...(rows.data as BigInt64Array)]).toEqual([big, -big, 7n, 0n, big, -big, big, -big]);
    expect([...(sliceRows(rows, 1, 2).data as BigInt64Array)]).toEqual([7n, 0n]);
    // float16 travels as its half bits (0x3c00 = 1, 0xfbff = -65504), never through a float.
    const half: TensorData = { dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0xfbff) };
    const joined = concatRows([half, padRows({ ...half, shape: [2] }, 3)]);
    expect(joined.dtype).toBe('float16');
    expect([...(joined.data as Uint16Array)]).toEqual([0x3c00, 0xfbff, 0x3c00, 0xfbff, 0x3c00]);
  });

  it('concatenates and slices strings', () => {
    const c = concatRows([str([1], ['a']), str([2], ['b', 'c'])]);
    expect(texts(c)).toEqual(['a', 'b', 'c']);
    expect(texts(sliceRows(c, 1, 3))).toEqual(['b', 'c']);
  });

  it('slices rows as a copy', () => {
    const t = f32([3, 2], [1, 2, 3, 4, 5, 6]);
    const s = sliceRows(t, 1, 2);
    expect(s.shape).toEqual([1, 2]);
    expect([...(s.data as Float32Array)]).toEqual([3, 4]);
    (s.data as Float32Array)[0] = 99;
    expect((t.data as Float32Array)[2]).toBe(3);
  });

  it('pads rows by repeating the first example', () => {
    const p = padRows(f32([2, 2], [1, 2, 3, 4]), 4);
    expect(p.shape).toEqual([4, 2]);
    expect([...(p.data as Float32Array)]).toEqual([1, 2, 3, 4, 1, 2, 1, 2]);
    const bools: TensorData = { dtype: 'bool', shape: [1], data: Uint8Array.from([1]) };
    expect([...(padRows(bools, 3).data as Uint8Array)]).toEqual([1, 1, 1]);
    expect(texts(padRows(str([1], ['x']), 2))).toEqual(['x', 'x']);
  });

  it('zero-pads inner dimensions, and strings with empty ones', () => {
    const p = padInner(f32([2, 1, 2], [1, 2, 3, 4]), [2, 3]);
    expect(p.shape).toEqual([2, 2, 3]);
    expect([...(p.data as Float32Array)]).toEqual([1, 2, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0]);
    expect(texts(padInner(str([1, 1], ['a']), [3]))).toEqual(['a', '', '']);
  });

  it('keys requests by aliases, dtypes, inner dims and outputs', () => {
    const a = batchKey({ x: f32([1, 2], [1, 2]) }, undefined, false);
    expect(batchKey({ x: f32([3, 2], [1, 2, 3, 4, 5, 6]) }, undefined, false)).toBe(a);
    expect(batchKey({ x: f32([1, 3], [1, 2, 3]) }, undefined, false)).not.toBe(a);
    expect(batchKey({ x: f32([1, 3], [1, 2, 3]) }, undefined, true)).toBe(
      batchKey({ x: f32([1, 2], [1, 2]) }, undefined, true),
    );
    expect(batchKey({ x: f32([1, 2], [1, 2]) }, ['y'], false)).not.toBe(a);
  });

  it('builds a batch: inner padding, then rows up to the allowed size', () => {
    const batch = concatBatch([{ x: f32([1, 1], [7]) }, { x: f32([1, 2], [8, 9]) }], 3, true);
    expect(batch['x']?.shape).toEqual([3, 2]);
    expect([...(batch['x']?.data as Float32Array)]).toEqual([7, 0, 8, 9, 7, 0]);
  });
});
