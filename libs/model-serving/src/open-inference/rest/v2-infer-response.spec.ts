import { encodeV2InferResponse, shortestFloat32 } from './v2-infer-response.js';

describe('shortestFloat32', () => {
  it.each([
    [0.1, 0.1],
    [2.1, 2.1],
    [1 / 3, 0.33333334],
    [16777217, 16777216],
    [3.4028234663852886e38, 3.4028235e38],
  ])('writes float32(%d) as %d', (value, expected) => {
    expect(shortestFloat32(Math.fround(value))).toBe(expected);
  });

  it('has no JSON form for non-finite values', () => {
    expect(shortestFloat32(NaN)).toBeNull();
    expect(shortestFloat32(-Infinity)).toBeNull();
  });
});

describe('encodeV2InferResponse', () => {
  it('writes flat data of every dtype, and the id only when there is one', () => {
    const doc = encodeV2InferResponse({
      model: 'm',
      version: '3',
      outputs: [
        {
          name: 'f',
          datatype: 'FP32',
          tensor: { dtype: 'float32', shape: [1, 2], data: Float32Array.from([0.1, 2]) },
        },
        {
          name: 'i',
          datatype: 'INT64',
          tensor: { dtype: 'int32', shape: [1], data: Int32Array.from([-4]) },
        },
        {
          name: 'b',
          datatype: 'BOOL',
          tensor: { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) },
        },
        {
          name: 's',
          datatype: 'BYTES',
          tensor: { dtype: 'string', shape: [1], data: [Buffer.from('hé')] },
        },
      ],
    });
    expect(doc).toEqual({
      model_name: 'm',
      model_version: '3',
      outputs: [
        { name: 'f', datatype: 'FP32', shape: [1, 2], data: [0.1, 2] },
        { name: 'i', datatype: 'INT64', shape: [1], data: [-4] },
        { name: 'b', datatype: 'BOOL', shape: [2], data: [true, false] },
        { name: 's', datatype: 'BYTES', shape: [1], data: ['hé'] },
      ],
    });
    expect(encodeV2InferResponse({ model: 'm', version: '1', id: 'q', outputs: [] }).id).toBe('q');
  });
});
