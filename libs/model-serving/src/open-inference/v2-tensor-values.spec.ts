import { InvalidInputError } from '../errors/invalid-input.error.js';
import { readV2Shape, tensorFromV2Values } from './v2-tensor-values.js';

const where = "input 'x'";

describe('tensorFromV2Values', () => {
  it('builds each engine dtype from flat values', () => {
    expect(tensorFromV2Values('FP32', [2], [0.5, 2], where)).toEqual({
      dtype: 'float32',
      shape: [2],
      data: Float32Array.from([0.5, 2]),
    });
    expect(tensorFromV2Values('FP64', [1, 1], [1.5], where).data).toEqual(Float32Array.from([1.5]));
    expect(tensorFromV2Values('INT32', [3], [1, -2, 3], where).data).toEqual(
      Int32Array.from([1, -2, 3]),
    );
    expect(tensorFromV2Values('BOOL', [2], [true, false], where)).toMatchObject({
      dtype: 'bool',
      data: Uint8Array.from([1, 0]),
    });
    const bytes = tensorFromV2Values('BYTES', [2], ['é', Uint8Array.from([0xff])], where);
    expect(bytes.dtype).toBe('string');
    expect(bytes.data).toEqual([Uint8Array.from([0xc3, 0xa9]), Uint8Array.from([0xff])]);
  });

  it('reads 64-bit integers as gRPC hands them over (strings, bigints)', () => {
    const t = tensorFromV2Values('INT64', [3], ['-5', 7n, 2147483647], where);
    expect(t).toMatchObject({ dtype: 'int32', data: Int32Array.from([-5, 7, 2147483647]) });
  });

  it.each([
    ['INT64', 2 ** 31],
    ['INT64', '-2147483649'],
    ['UINT64', -1],
    ['UINT32', 2 ** 31],
    ['UINT8', 256],
    ['INT8', -129],
    ['INT16', 40000],
  ] as const)('rejects %s value %s beyond what the engine holds', (datatype, value) => {
    expect(() => tensorFromV2Values(datatype, [1], [value], where)).toThrow(/out of range/);
  });

  it('rejects values of another kind', () => {
    expect(() => tensorFromV2Values('INT32', [1], [1.5], where)).toThrow(/not a INT32 value/);
    expect(() => tensorFromV2Values('FP32', [1], ['1'], where)).toThrow(/not a FP32 value/);
    expect(() => tensorFromV2Values('BOOL', [1], [1], where)).toThrow(/not a BOOL value/);
    expect(() => tensorFromV2Values('BYTES', [1], [1], where)).toThrow(InvalidInputError);
  });

  it('needs exactly as many values as the shape holds', () => {
    expect(() => tensorFromV2Values('FP32', [2, 2], [1, 2, 3], where)).toThrow(
      "input 'x': shape [2,2] needs 4 values, got 3",
    );
    expect(tensorFromV2Values('FP32', [0, 4], [], where).data).toHaveLength(0);
    expect(tensorFromV2Values('FP32', [], [3], where).data).toEqual(Float32Array.from([3]));
  });
});

describe('readV2Shape', () => {
  it('takes non-negative integers, as numbers or int64 strings', () => {
    expect(readV2Shape([2, '3', 0], where)).toEqual([2, 3, 0]);
  });

  it.each([[[-1]], [[1.5]], ['2'], [undefined], [[true]]])('rejects %j', (shape) => {
    expect(() => readV2Shape(shape, where)).toThrow(/non-negative integers/);
  });
});
