import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type TensorDType } from '../../../tensor/tensor-data.js';
import { PackedJsonArray } from './json-packed-array.js';
import { parseJson } from './json-reader.js';
import { TensorValues, denseShape, fillTensor } from './json-tensor-fill.js';
import { type JsonValue } from './json-value.js';

function fill(json: string, dtype: TensorDType): TensorValues {
  const value = parseJson(json);
  const values = new TensorValues(dtype);
  expect(fillTensor(value, denseShape(value), values)).toBe(
    dtype === 'string' ? values.strings.length : values.numbers.length,
  );
  return values;
}

function failure(json: string, dtype: TensorDType): Error {
  try {
    fill(json, dtype);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('denseShape', () => {
  it.each([
    ['1', []],
    ['[1,2,3]', [3]],
    ['[[1,2],[3]]', [2, 2]],
    ['[[], [1]]', [2, 0]],
    ['[[[1]], 2]', [2, 1, 1]],
    ['{"b64":"aGk="}', []],
  ])('%s → %j', (json, shape) => {
    expect(denseShape(parseJson(json))).toEqual(shape);
  });
});

describe('fillTensor', () => {
  it('converts the values each dtype accepts', () => {
    expect(Array.from(fill('[true, false]', 'bool').numbers as Uint8Array)).toEqual([1, 0]);
    expect(
      Array.from(fill('[-2147483648, 2147483647, -0]', 'int32').numbers as Int32Array),
    ).toEqual([-2147483648, 2147483647, 0]);
    // float32 values are rounded on entry, so 1e39 is already Infinity.
    expect(
      Array.from(fill('[1, 2.5, 1e39, NaN, -Infinity]', 'float32').numbers as Float32Array),
    ).toEqual([1, 2.5, Infinity, NaN, -Infinity]);
    expect(fill('["hé", "\\u0000", {"b64": " aGk "}]', 'string').strings).toEqual([
      Buffer.from('hé'),
      Buffer.from([0]),
      Buffer.from('hi'),
    ]);
  });

  it.each<[string, TensorDType, string]>([
    ['1.0', 'int32', 'JSON Value: 1.0 Type: Number is not of expected type: int32'],
    ['2147483648', 'int32', 'JSON Value: 2147483648 Type: Number is not of expected type: int32'],
    ['1', 'bool', 'JSON Value: 1 Type: Number is not of expected type: bool'],
    ['null', 'float32', 'JSON Value: null Type: Null is not of expected type: float'],
    ['true', 'float32', 'JSON Value: true Type: True is not of expected type: float'],
    ['false', 'string', 'JSON Value: false Type: False is not of expected type: string'],
    ['"1"', 'float32', 'JSON Value: "1" Type: String is not of expected type: float'],
    [
      '{"b64":"aGk="}',
      'float32',
      'JSON Value: {\n    "b64": "aGk="\n} Type: Object is not of expected type: float',
    ],
    ['{"b64":"a"}', 'string', 'Unable to base64 decode'],
    [
      '{"b64":1}',
      'string',
      'JSON Value: {\n    "b64": 1\n} not formatted correctly for base64 data',
    ],
    [
      '{"b64":"aGk=","x":1}',
      'string',
      'JSON Value: {\n    "b64": "aGk=",\n    "x": 1\n} not formatted correctly for base64 data',
    ],
    [
      '[[1],2]',
      'float32',
      'JSON Value: 2 found at incorrect level: 2 in the JSON DOM. Expected at level: 2',
    ],
    ['[1,[2]]', 'float32', 'Encountered list at unexpected level: 1 expected < 1'],
    [
      '[[1,2],[3]]',
      'float32',
      'Encountered list at unexpected size: 1 at level: 1 expected size: 2',
    ],
    ['[[], [1]]', 'float32', 'Encountered list at unexpected size: 1 at level: 1 expected size: 0'],
  ])('%s as %s fails with %j', (json, dtype, message) => {
    const error = failure(json, dtype);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(message);
  });

  it('fills every dtype exactly: int64 with all its digits, float64 unrounded', () => {
    expect(
      fill('[9007199254740993, -9223372036854775808, 9223372036854775807]', 'int64').numbers,
    ).toEqual(BigInt64Array.of(9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n));
    expect(fill('[18446744073709551615]', 'uint64').numbers).toEqual(
      BigUint64Array.of(2n ** 64n - 1n),
    );
    expect(fill('[0.30000000000000004, 1e300]', 'float64').numbers).toEqual(
      Float64Array.of(0.1 + 0.2, 1e300),
    );
    expect(fill('[0, 255]', 'uint8').numbers).toEqual(Uint8Array.of(0, 255));
    expect(fill('[-128, 127]', 'int8').numbers).toEqual(Int8Array.of(-128, 127));
    expect(fill('[-32768, 65535]', 'int32').numbers).toEqual(Int32Array.of(-32768, 65535));
    expect(fill('[1, -2, 0.1]', 'float16').numbers).toEqual(Uint16Array.of(0x3c00, 0xc000, 0x2e66));
  });

  it.each<[string, TensorDType, string]>([
    [
      '[256]',
      'uint8',
      'JSON Value: 256 Type: Number is out of range for type: uint8 (an integer from 0 to 255)',
    ],
    [
      '[-1]',
      'uint64',
      'JSON Value: -1 Type: Number is out of range for type: uint64 (an integer from 0 to 18446744073709551615)',
    ],
    [
      '[32768]',
      'int16',
      'JSON Value: 32768 Type: Number is out of range for type: int16 (an integer from -32768 to 32767)',
    ],
    [
      '[9223372036854775808]',
      'int64',
      'JSON Value: 9223372036854775808 Type: Number is not of expected type: int64',
    ],
    ['[1.5]', 'int64', 'JSON Value: 1.5 Type: Number is not of expected type: int64'],
    ['["1"]', 'int64', 'JSON Value: "1" Type: String is not of expected type: int64'],
    ['[true]', 'float64', 'JSON Value: true Type: True is not of expected type: double'],
  ])('%s as %s fails with a clear message', (json, dtype, message) => {
    const error = failure(json, dtype);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(message);
  });

  it('walks deeply nested lists without recursion', () => {
    const depth = 100000;
    const values = fill(`${'['.repeat(depth)}7${']'.repeat(depth)}`, 'float32');
    expect(Array.from(values.numbers as Float32Array)).toEqual([7]);
  });
});

describe('TensorValues.toTensorData', () => {
  it('builds the typed array of the dtype', () => {
    const values = new TensorValues('int32');
    values.push(1);
    values.push(2);
    expect(values.toTensorData([2])).toEqual({
      dtype: 'int32',
      shape: [2],
      data: Int32Array.of(1, 2),
    });
  });

  it('follows Tensor::FromProto when the count does not match the shape', () => {
    const values = new TensorValues('float32');
    values.pushAll(Float64Array.of(1, 2, 3));
    expect(values.toTensorData([2]).data).toEqual(Float32Array.of(1, 2));
    expect(values.toTensorData([5]).data).toEqual(Float32Array.of(1, 2, 3, 3, 3));
    expect(new TensorValues('bool').toTensorData([2]).data).toEqual(Uint8Array.of(0, 0));
    const strings = new TensorValues('string');
    strings.strings.push(Buffer.from('a'));
    expect(strings.toTensorData([2]).data).toEqual([Buffer.from('a'), Buffer.from('a')]);
  });
});

/** `value` with every number block in the general form (lists of value objects). */
function unpacked(value: JsonValue): JsonValue {
  if (value.kind === 'array') return { kind: 'array', items: value.items.map(unpacked) };
  if (value.kind === 'object') {
    return { kind: 'object', members: value.members.map(([key, v]) => [key, unpacked(v)]) };
  }
  return value;
}

/** What filling `value` gives: the numbers and count, or the error's class and message. */
function outcome(value: JsonValue, dtype: TensorDType, shape: readonly number[]): unknown {
  const values = new TensorValues(dtype);
  try {
    return {
      count: fillTensor(value, shape, values),
      numbers: Array.from(values.numbers as ArrayLike<number | bigint>),
    };
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

describe('fillTensor on number blocks', () => {
  const cases = [
    '[[[0.5],[1]],[[-2],[3]]]',
    '[[1,2],[3,4]]',
    '[[1,2],[3]]',
    '[[1],[2.5]]',
    '[[[1]],[[2],[3]]]',
    '[[1,2],[3,4],[[5],[6]]]',
    '[[],[]]',
    '[[], [1]]',
    '[[1,2],3]',
    '[1,2,3]',
    '[[[1,2]],[[3,4]]]',
  ];
  const dtypes: TensorDType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'string'];

  it.each(cases)('%s fills as its unpacked lists do, for every dtype and shape', (json) => {
    const packed = parseJson(json);
    const general = unpacked(packed);
    expect(general).not.toBeInstanceOf(PackedJsonArray);
    const shapes = [denseShape(general), [2], [2, 2], [2, 2, 1], [2, 1, 2], [3, 2], []];
    expect(denseShape(packed)).toEqual(denseShape(general));
    for (const dtype of dtypes) {
      for (const shape of shapes) {
        expect(outcome(packed, dtype, shape)).toEqual(outcome(general, dtype, shape));
      }
    }
  });

  it('copies a block of the expected shape in one pass', () => {
    const values = fill('[[[0.1],[0.2]],[[0.3],[0.4]]]', 'float32');
    expect(values.numbers).toEqual(Float32Array.of(0.1, 0.2, 0.3, 0.4));
  });
});
