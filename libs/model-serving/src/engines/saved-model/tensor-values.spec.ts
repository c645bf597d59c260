import { ModelLoadError } from '../../errors/model-load.error.js';
import { knownShape, tensorValue } from './tensor-values.js';

const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });

describe('tensorValue', () => {
  it('repeats the last typed value over the shape, as TensorFlow does', () => {
    const v = tensorValue('c', { dtype: 'DT_FLOAT', tensorShape: dims(2, 2), floatVal: [1, 2] });
    expect(v).toEqual({ dtype: 'float32', shape: [2, 2], values: Float32Array.of(1, 2, 2, 2) });
    const zeros = tensorValue('z', { dtype: 'DT_INT32', tensorShape: dims(3) });
    expect(zeros.values).toEqual(new Int32Array(3));
  });

  it('reads tensor_content and converts int64 and double', () => {
    const content = new Uint8Array(new BigInt64Array([5n, -6n]).buffer);
    expect(
      tensorValue('i', { dtype: 'DT_INT64', tensorShape: dims(2), tensorContent: content }),
    ).toMatchObject({ dtype: 'int32', values: Int32Array.of(5, -6) });
    expect(
      tensorValue('i', { dtype: 'DT_INT64', tensorShape: {}, int64Val: ['-7'] }).values,
    ).toEqual(Int32Array.of(-7));
    expect(
      tensorValue('d', { dtype: 'DT_DOUBLE', tensorShape: {}, doubleVal: [0.25] }).values,
    ).toEqual(Float32Array.of(0.25));
  });

  it('holds strings and booleans', () => {
    const s = tensorValue('s', {
      dtype: 'DT_STRING',
      tensorShape: dims(2),
      stringVal: [Uint8Array.of(97)],
    });
    expect(s.values).toEqual([Uint8Array.of(97), Uint8Array.of(97)]);
    expect(
      tensorValue('b', { dtype: 'DT_BOOL', tensorShape: dims(2), boolVal: [true, false] }).values,
    ).toEqual(Uint8Array.of(1, 0));
  });

  it('refuses values that do not fit int32, wrong sizes and unknown shapes, naming the node', () => {
    expect(() =>
      tensorValue('big', { dtype: 'DT_INT64', tensorShape: {}, int64Val: ['4294967296'] }),
    ).toThrow(/constant 'big' \(DT_INT64\) holds 4294967296 at index 0/);
    expect(() =>
      tensorValue('short', {
        dtype: 'DT_FLOAT',
        tensorShape: dims(2),
        tensorContent: new Uint8Array(4),
      }),
    ).toThrow(/holds 4 bytes, its shape \[2\] needs 8/);
    expect(() =>
      tensorValue('u', { dtype: 'DT_FLOAT', tensorShape: { unknownRank: true } }),
    ).toThrow(ModelLoadError);
    expect(() => tensorValue('r', { dtype: 'DT_RESOURCE', tensorShape: {} })).toThrow(
      /unsupported dtype/,
    );
  });

  it('knows shapes: absent is a scalar, unknown rank or dimension is unknown', () => {
    expect(knownShape(undefined)).toEqual([]);
    expect(knownShape(dims(2, 3))).toEqual([2, 3]);
    expect(knownShape({ unknownRank: true })).toBeUndefined();
    expect(knownShape(dims(-1, 3))).toBeUndefined();
  });
});
