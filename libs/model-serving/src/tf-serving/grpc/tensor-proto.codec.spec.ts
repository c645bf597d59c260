import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto.codec.js';

const shape = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });

describe('decodeTensorProto', () => {
  it('reads typed fields', () => {
    expect(
      decodeTensorProto(
        { dtype: 'DT_FLOAT', tensor_shape: shape(3), float_val: [1, 2.5, -3] },
        'DT_FLOAT',
        'x',
      ),
    ).toEqual({
      dtype: 'float32',
      shape: [3],
      data: Float32Array.from([1, 2.5, -3]),
    });
    expect(
      decodeTensorProto(
        {
          dtype: 'DT_INT64',
          tensor_shape: shape(3),
          int64_val: ['9007199254740993', '-9223372036854775808', 7],
        },
        'DT_INT64',
        'x',
      ).data,
    ).toEqual(BigInt64Array.of(9007199254740993n, -(2n ** 63n), 7n));
    expect(
      decodeTensorProto(
        { dtype: 'DT_UINT8', tensor_shape: shape(2), int_val: [0, 255] },
        'DT_UINT8',
        'x',
      ).data,
    ).toEqual(Uint8Array.of(0, 255));
    expect(
      decodeTensorProto(
        { dtype: 'DT_DOUBLE', tensor_shape: shape(1), double_val: [0.1 + 0.2] },
        'DT_DOUBLE',
        'x',
      ).data,
    ).toEqual(Float64Array.of(0.30000000000000004));
    expect(
      decodeTensorProto(
        { dtype: 'DT_BOOL', tensor_shape: shape(2), bool_val: [true, false] },
        'DT_BOOL',
        'x',
      ).data,
    ).toEqual(Uint8Array.from([1, 0]));
    const strings = decodeTensorProto(
      { dtype: 'DT_STRING', tensor_shape: shape(1), string_val: [Buffer.from('hi')] },
      'DT_STRING',
      'x',
    );
    expect(strings.data).toEqual([Uint8Array.from(Buffer.from('hi'))]);
    expect(
      decodeTensorProto(
        { dtype: 'DT_HALF', tensor_shape: shape(2), half_val: [0x3c00, 0xc000] },
        'DT_HALF',
        'x',
      ),
    ).toEqual({ dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) });
  });

  it('reads little-endian tensor_content as numpy arrays are sent', () => {
    const content = new Uint8Array(Float32Array.from([1.5, 2, 5]).buffer);
    expect(
      decodeTensorProto(
        { dtype: 'DT_FLOAT', tensor_shape: shape(1, 3), tensor_content: content },
        'DT_FLOAT',
        'x',
      ),
    ).toEqual({
      dtype: 'float32',
      shape: [1, 3],
      data: Float32Array.from([1.5, 2, 5]),
    });
    const int64 = new Uint8Array(BigInt64Array.from([5n, -6n]).buffer);
    expect(
      decodeTensorProto(
        { dtype: 'DT_INT64', tensor_shape: shape(2), tensor_content: int64 },
        'DT_INT64',
        'x',
      ).data,
    ).toEqual(BigInt64Array.of(5n, -6n));
    const doubles = new Uint8Array(Float64Array.from([0.25]).buffer);
    expect(
      decodeTensorProto(
        { dtype: 'DT_DOUBLE', tensor_shape: shape(1), tensor_content: doubles },
        'DT_DOUBLE',
        'x',
      ).data,
    ).toEqual(Float64Array.of(0.25));
  });

  it('broadcasts one value, and pads with the last value as TensorFlow does', () => {
    expect(
      decodeTensorProto(
        { dtype: 'DT_FLOAT', tensor_shape: shape(2, 2), float_val: [7] },
        'DT_FLOAT',
        'x',
      ).data,
    ).toEqual(Float32Array.from([7, 7, 7, 7]));
    expect(
      decodeTensorProto(
        { dtype: 'DT_INT32', tensor_shape: shape(3), int_val: [1, 2] },
        'DT_INT32',
        'x',
      ).data,
    ).toEqual(Int32Array.from([1, 2, 2]));
    expect(
      decodeTensorProto({ dtype: 'DT_FLOAT', tensor_shape: shape(2) }, 'DT_FLOAT', 'x').data,
    ).toEqual(Float32Array.from([0, 0]));
  });

  it.each([
    [
      { dtype: 'DT_INT32', tensor_shape: shape(1), int_val: [1] },
      'DT_FLOAT',
      "input 'x': expects float but int32 is provided",
    ],
    [
      { dtype: 'DT_FLOAT', tensor_shape: shape(1), float_val: [1, 2] },
      'DT_FLOAT',
      '2 values in float_val for a shape of 1 elements',
    ],
    [
      { dtype: 'DT_FLOAT', tensor_shape: shape(2), tensor_content: new Uint8Array(4) },
      'DT_FLOAT',
      'tensor_content holds 4 bytes; shape and dtype need 8',
    ],
    [
      { dtype: 'DT_UINT8', tensor_shape: shape(1), int_val: [256] },
      'DT_UINT8',
      "input 'x': 256 cannot be represented as uint8 (an integer from 0 to 255)",
    ],
    [
      { dtype: 'DT_INT16', tensor_shape: shape(1), int_val: [-40000] },
      'DT_INT16',
      "input 'x': -40000 cannot be represented as int16",
    ],
    [
      { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1' }] }, float_val: [1] },
      'DT_FLOAT',
      'dimension size -1 is not a size',
    ],
  ])('rejects %j', (proto, expected, message) => {
    expect(() => decodeTensorProto(proto, expected, "input 'x'")).toThrow(InvalidInputError);
    expect(() => decodeTensorProto(proto, expected, "input 'x'")).toThrow(message);
  });
});

describe('encodeTensorProto', () => {
  it('answers with typed fields', () => {
    expect(
      encodeTensorProto(
        { dtype: 'float32', shape: [2], data: Float32Array.from([2.5, 3]) },
        'DT_FLOAT',
      ),
    ).toEqual({
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: [{ size: '2', name: '' }], unknown_rank: false },
      float_val: [2.5, 3],
    });
    expect(
      encodeTensorProto({ dtype: 'int32', shape: [1], data: Int32Array.from([9]) }, 'DT_INT64')
        .int64_val,
    ).toEqual(['9']);
    expect(
      encodeTensorProto({ dtype: 'bool', shape: [1], data: Uint8Array.from([1]) }, 'DT_BOOL')
        .bool_val,
    ).toEqual([true]);
  });

  it('answers DT_HALF in half_val and tensor_content, from halves or float32, and round-trips', () => {
    const half = { dtype: 'float16' as const, shape: [2], data: Uint16Array.of(0x3c00, 0xc000) };
    const float = { dtype: 'float32' as const, shape: [2], data: Float32Array.from([1, -2]) };
    for (const tensor of [half, float]) {
      expect(encodeTensorProto(tensor, 'DT_HALF').half_val).toEqual([0x3c00, 0xc000]);
      expect(decodeTensorProto(encodeTensorProto(tensor, 'DT_HALF'), 'DT_HALF', 'x')).toEqual(half);
      const content = encodeTensorProto(tensor, 'DT_HALF', true);
      expect(decodeTensorProto(content, 'DT_HALF', 'x')).toEqual(half);
    }
  });

  it('answers int64 with all its digits, in int64_val and tensor_content', () => {
    const tensor = {
      dtype: 'int64' as const,
      shape: [2],
      data: BigInt64Array.of(9007199254740993n, -(2n ** 63n)),
    };
    expect(encodeTensorProto(tensor, 'DT_INT64').int64_val).toEqual([
      '9007199254740993',
      '-9223372036854775808',
    ]);
    expect(decodeTensorProto(encodeTensorProto(tensor, 'DT_INT64', true), 'DT_INT64', 'x')).toEqual(
      tensor,
    );
    const double = { dtype: 'float64' as const, shape: [1], data: Float64Array.of(0.1 + 0.2) };
    expect(encodeTensorProto(double, 'DT_DOUBLE').double_val).toEqual([0.30000000000000004]);
  });

  it('answers with tensor_content when asked, and round-trips', () => {
    const tensor = { dtype: 'float32' as const, shape: [3], data: Float32Array.from([1, -2, 0.5]) };
    const proto = encodeTensorProto(tensor, 'DT_FLOAT', true);
    expect(proto.float_val).toBeUndefined();
    expect(decodeTensorProto(proto, 'DT_FLOAT', 'x')).toEqual(tensor);
  });
});
