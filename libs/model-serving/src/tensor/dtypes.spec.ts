import {
  declaredTfName,
  DTYPES,
  dtypeRow,
  dtypeRowOfOnnx,
  dtypeRowOfTf,
  dtypeRowOfV2,
  TF_DTYPE_NAMES,
} from './dtypes.js';
import { allocate, bytesPerElement } from './typed-values.js';

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
    expect(dtypeRowOfOnnx('float16')).toBe(dtypeRowOfV2('FP16'));
    expect(dtypeRowOfTf('DT_FLOAT_REF')).toBe(dtypeRowOfTf('DT_FLOAT'));
    expect(dtypeRowOfTf('DT_COMPLEX64')).toBeUndefined();
  });

  it('carries every type exactly, in a typed array as wide as its raw layout', () => {
    for (const row of DTYPES) {
      if (row.tf === 'DT_BFLOAT16') {
        expect(row.dtype).toBe('float32'); // its values are float32 values
        continue;
      }
      expect(row.onnx).toBe(row.dtype);
      if (row.dtype === 'string') continue;
      expect(allocate(row.dtype, 1).byteLength).toBe(row.bytes);
      expect(bytesPerElement(row.dtype)).toBe(row.bytes);
    }
    for (const [dtype, tf] of Object.entries(TF_DTYPE_NAMES)) {
      expect(dtypeRowOfTf(tf)?.dtype).toBe(dtype);
    }
  });

  it('narrows for TensorFlow.js to int32 and float32 only', () => {
    expect(DTYPES.map((row) => [row.dtype, row.tfjs])).toEqual(
      expect.arrayContaining([
        ['int64', 'int32'],
        ['uint8', 'int32'],
        ['float64', 'float32'],
        ['float16', 'float32'],
        ['bool', 'bool'],
        ['string', 'string'],
      ]),
    );
    expect(new Set(DTYPES.map((row) => row.tfjs))).toEqual(
      new Set(['float32', 'int32', 'bool', 'string']),
    );
    expect(dtypeRow('float32').tf).toBe('DT_FLOAT');
  });

  it("reports an output's declared TensorFlow dtype when an engine answered it narrowed", () => {
    expect(declaredTfName({ dtype: 'int64' }, 'int64')).toBe('DT_INT64');
    expect(declaredTfName({ dtype: 'int64' }, 'int32')).toBe('DT_INT64');
    expect(declaredTfName({ dtype: 'float64' }, 'float32')).toBe('DT_DOUBLE');
    expect(declaredTfName({ dtype: 'float32', tfDtype: 'DT_BFLOAT16' }, 'float32')).toBe(
      'DT_BFLOAT16',
    );
    expect(declaredTfName({ dtype: 'float32' }, 'int32')).toBe('DT_INT32');
    expect(declaredTfName(undefined, 'uint8')).toBe('DT_UINT8');
  });
});
