import { InvalidInputError } from '../errors/invalid-input.error.js';
import { nestedToTensor, tensorToNested } from './nested-values.js';

describe('nestedToTensor', () => {
  it('infers the shape and converts to the dtype', () => {
    const t = nestedToTensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'float32',
      'x',
    );
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(nestedToTensor(7, 'int32', 'x')).toEqual({
      dtype: 'int32',
      shape: [],
      data: Int32Array.from([7]),
    });
    expect(nestedToTensor([true, false], 'bool', 'x').data).toEqual(Uint8Array.from([1, 0]));
    expect(nestedToTensor([9007199254740993n, -1], 'int64', 'x').data).toEqual(
      BigInt64Array.of(9007199254740993n, -1n),
    );
    expect(nestedToTensor([0.1 + 0.2], 'float64', 'x').data).toEqual(Float64Array.of(0.1 + 0.2));
    expect(nestedToTensor(['hé'], 'string', 'x').data).toEqual([new TextEncoder().encode('hé')]);
  });

  it.each([
    [[[1, 2], [3]], 'float32', 'x: lists are ragged'],
    [[1, [2]], 'float32', 'x: a list is nested deeper than the others'],
    [[1.5], 'int32', 'x: 1.5 cannot be represented as int32'],
    [[2 ** 31], 'int32', 'x: 2147483648 cannot be represented as int32 (an integer from'],
    [[256], 'uint8', 'x: 256 cannot be represented as uint8 (an integer from 0 to 255)'],
    [[2n ** 63n], 'int64', 'x: 9223372036854775808 cannot be represented as int64'],
    [['a'], 'float32', 'x: "a" is not a float32 value'],
    [[1], 'bool', 'x: 1 cannot be represented as bool (true or false)'],
  ] as const)('rejects %j as %s', (values, dtype, message) => {
    expect(() => nestedToTensor(values as never, dtype, 'x')).toThrow(InvalidInputError);
    expect(() => nestedToTensor(values as never, dtype, 'x')).toThrow(message);
  });
});

describe('tensorToNested', () => {
  it('rebuilds nested arrays', () => {
    expect(
      tensorToNested({ dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(tensorToNested({ dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) })).toEqual([
      true,
      false,
    ]);
    expect(tensorToNested({ dtype: 'int32', shape: [], data: Int32Array.from([5]) })).toBe(5);
  });
});
