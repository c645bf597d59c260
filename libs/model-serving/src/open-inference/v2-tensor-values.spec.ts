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
    expect(tensorFromV2Values('FP64', [1, 1], [0.1 + 0.2], where).data).toEqual(
      Float64Array.of(0.30000000000000004),
    );
    expect(tensorFromV2Values('FP16', [2], [1, -2], where).data).toEqual(
      Uint16Array.of(0x3c00, 0xc000),
    );
    expect(tensorFromV2Values('UINT8', [2], [0, 255], where).data).toEqual(Uint8Array.of(0, 255));
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
    const t = tensorFromV2Values(
      'INT64',
      [3],
      ['-9223372036854775808', 9007199254740993n, 7],
      where,
    );
    expect(t).toEqual({
      dtype: 'int64',
      shape: [3],
      data: BigInt64Array.of(-(2n ** 63n), 9007199254740993n, 7n),
    });
  });

  it.each([
    ['INT64', 2n ** 63n, 'int64'],
    ['INT64', '-9223372036854775809', 'int64'],
    ['UINT64', -1, 'uint64'],
    ['UINT32', 2 ** 32, 'uint32'],
    ['UINT8', 256, 'uint8'],
    ['INT8', -129, 'int8'],
    ['INT16', 40000, 'int16'],
    ['INT32', 1.5, 'int32'],
  ] as const)('rejects %s value %s, naming its range', (datatype, value, dtype) => {
    expect(() => tensorFromV2Values(datatype, [1], [value], where)).toThrow(
      `input 'x': ${String(value)} cannot be represented as ${dtype} (an integer from`,
    );
  });

  it('rejects values of another kind', () => {
    expect(() => tensorFromV2Values('FP32', [1], ['1'], where)).toThrow(/"1" is not a FP32 value/);
    expect(() => tensorFromV2Values('BOOL', [1], [1], where)).toThrow(/"1" is not a BOOL value/);
    expect(() => tensorFromV2Values('INT64', [1], [true], where)).toThrow(/not a INT64 value/);
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
