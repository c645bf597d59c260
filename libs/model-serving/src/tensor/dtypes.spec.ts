import { DTYPES, dtypeRowOfOnnx, dtypeRowOfTf, dtypeRowOfV2, TF_DTYPE_NAMES } from './dtypes.js';

describe('the one dtype table', () => {
  it('names each type once per seam', () => {
    for (const key of ['tf', 'v2', 'onnx'] as const) {
      const names = DTYPES.flatMap((row) => (row[key] ? [row[key]] : []));
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('maps every seam name to the same row', () => {
    expect(dtypeRowOfV2('INT64')).toBe(dtypeRowOfTf('DT_INT64'));
    expect(dtypeRowOfOnnx('int64')).toBe(dtypeRowOfTf('DT_INT64'));
    expect(dtypeRowOfTf('DT_FLOAT_REF')).toBe(dtypeRowOfTf('DT_FLOAT'));
    expect(dtypeRowOfTf('DT_COMPLEX64')).toBeUndefined();
  });

  it('carries every integer as int32 within its range, every float as float32', () => {
    for (const row of DTYPES) {
      if (row.range) {
        expect(row.dtype).toBe('int32');
        expect(row.range[0]).toBeGreaterThanOrEqual(-(2 ** 31));
        expect(row.range[1]).toBeLessThanOrEqual(2 ** 31 - 1);
      }
      if (/FLOAT|DOUBLE|HALF/.test(row.tf)) expect(row.dtype).toBe('float32');
    }
    for (const [dtype, tf] of Object.entries(TF_DTYPE_NAMES)) {
      expect(dtypeRowOfTf(tf)?.dtype).toBe(dtype);
    }
  });
});
