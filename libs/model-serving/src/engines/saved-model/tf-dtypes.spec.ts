import {
  bfloat16ToFloat,
  convertRaw,
  distinctTfDtype,
  dtypeMapping,
  halfToFloat,
} from './tf-dtypes.js';

const le = (build: (view: DataView) => void, bytes: number) => {
  const buffer = new ArrayBuffer(bytes);
  build(new DataView(buffer));
  return new Uint8Array(buffer);
};

describe('TensorFlow dtypes in TensorFlow.js', () => {
  it('maps each supported dtype, _REF types as their value type', () => {
    expect(dtypeMapping('DT_INT64')).toEqual({
      dtype: 'int64',
      tfjs: 'int32',
      bytes: 8,
      graphName: 'DT_INT32',
    });
    expect(dtypeMapping('DT_HALF')).toMatchObject({ dtype: 'float16', tfjs: 'float32' });
    expect(dtypeMapping('DT_DOUBLE')?.tfjs).toBe('float32');
    expect(dtypeMapping('DT_FLOAT_REF')?.tfjs).toBe('float32');
    expect(dtypeMapping('DT_UINT8')?.bytes).toBe(1);
    expect(dtypeMapping('DT_RESOURCE')).toBeUndefined();
    expect(dtypeMapping('DT_COMPLEX64')).toBeUndefined();
  });

  it('reports TensorFlow’s dtype only where the carried dtype names another', () => {
    expect(distinctTfDtype('DT_FLOAT', 'float32')).toBeUndefined();
    expect(distinctTfDtype('DT_INT64', 'int64')).toBeUndefined();
    expect(distinctTfDtype('DT_BFLOAT16', 'float32')).toBe('DT_BFLOAT16');
  });

  it('decodes half and bfloat16 bits', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3555)).toBeCloseTo(0.333, 3);
    expect(halfToFloat(0x0001)).toBeCloseTo(5.96e-8, 10);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(bfloat16ToFloat(0x3f80)).toBe(1);
    expect(bfloat16ToFloat(0xc040)).toBe(-3);
  });

  it('converts raw little-endian values, integers checked against int32', () => {
    const doubles = le((v) => [1.5, -2.25].forEach((x, i) => v.setFloat64(8 * i, x, true)), 16);
    expect([...convertRaw('DT_DOUBLE', doubles, 2)!]).toEqual([1.5, -2.25]);
    const int64s = le((v) => [3n, -4n].forEach((x, i) => v.setBigInt64(8 * i, x, true)), 16);
    expect([...convertRaw('DT_INT64', int64s, 2)!]).toEqual([3, -4]);
    expect([...convertRaw('DT_UINT8', Uint8Array.of(0, 255), 2)!]).toEqual([0, 255]);
    expect([...convertRaw('DT_BOOL', Uint8Array.of(0, 7), 2)!]).toEqual([0, 1]);
    const big = le((v) => v.setBigInt64(8, 2n ** 31n, true), 16);
    const overflow = { index: -1, value: '' };
    expect(convertRaw('DT_INT64', big, 2, overflow)).toBeUndefined();
    expect(overflow).toEqual({ index: 1, value: '2147483648' });
    const u32 = le((v) => v.setUint32(0, 2 ** 32 - 1, true), 4);
    expect(convertRaw('DT_UINT32', u32, 1)).toBeUndefined();
  });
});
