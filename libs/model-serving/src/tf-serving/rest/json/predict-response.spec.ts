import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type TensorData } from '../../../tensor/tensor-data.js';
import { encodeErrorBody, encodePredictResponse } from './predict-response.js';

const float = (shape: number[], ...values: number[]): TensorData => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});
const int = (shape: number[], ...values: number[]): TensorData => ({
  dtype: 'int32',
  shape,
  data: Int32Array.from(values),
});
const strings = (shape: number[], ...values: string[]): TensorData => ({
  dtype: 'string',
  shape,
  data: values.map((v) => Buffer.from(v)),
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('encodePredictResponse: row format', () => {
  it.each<[string, Record<string, TensorData>, string]>([
    ['rank 1', { y: float([3], 2.5, 3, 4.5) }, '{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}'],
    [
      'rank 2',
      { y: float([2, 2], 2.5, 3, 3.5, 4) },
      '{\n    "predictions": [[2.5, 3.0], [3.5, 4.0]\n    ]\n}',
    ],
    ['an empty batch', { y: float([0]) }, '{\n    "predictions": []\n}'],
    ['empty items', { y: float([2, 0]) }, '{\n    "predictions": [[], []\n    ]\n}'],
    [
      'several outputs, sorted',
      { b: int([2], 3, -4), a: float([2, 2], 1, 2, 3, 4) },
      '{\n    "predictions": [\n        {\n            "a": [1.0, 2.0],\n            "b": 3\n        },' +
        '\n        {\n            "a": [3.0, 4.0],\n            "b": -4\n        }\n    ]\n}',
    ],
    [
      'bytes outputs as b64 objects',
      { out_bytes: strings([2], 'hi', 'yo') },
      '{\n    "predictions": [{\n            "b64": "aGk="\n        }, {\n            "b64": "eW8="\n' +
        '        }\n    ]\n}',
    ],
    [
      'strings',
      { s: strings([2], 'he said "hi"\n', 'é') },
      '{\n    "predictions": ["he said \\"hi\\"\\n", "é"\n    ]\n}',
    ],
    [
      'bools',
      { b: { dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) } },
      '{\n    "predictions": [true, false\n    ]\n}',
    ],
    [
      'non-finite floats',
      { f: float([3], NaN, Infinity, -Infinity) },
      '{\n    "predictions": [NaN, Infinity, -Infinity\n    ]\n}',
    ],
  ])('%s', (_, outputs, json) => {
    expect(encodePredictResponse('row', outputs)).toBe(json);
  });

  it('needs a batch dimension, the same for every output', () => {
    expect(failure(() => encodePredictResponse('row', {}))).toBe(
      'Cannot convert empty tensor map to JSON',
    );
    expect(failure(() => encodePredictResponse('row', { s: float([], 1) }))).toBe(
      'Tensor name: s has no shape information ',
    );
    expect(
      failure(() => encodePredictResponse('row', { a: float([2], 1, 2), b: float([3], 1, 2, 3) })),
    ).toBe('Tensor name: b has inconsistent batch size: 3 expecting: 2');
  });
});

describe('encodePredictResponse: columnar format', () => {
  it.each<[string, Record<string, TensorData>, string]>([
    [
      'one output',
      { y: float([2], 3.5, 4) },
      '{\n    "outputs": [\n        3.5,\n        4.0\n    ]\n}',
    ],
    [
      'nested lists',
      { y: float([1, 1], 1) },
      '{\n    "outputs": [\n        [\n            1.0\n        ]\n    ]\n}',
    ],
    ['a scalar', { y: float([], 3.5) }, '{\n    "outputs": 3.5\n}'],
    [
      'several outputs',
      { b: { dtype: 'bool', shape: [], data: Uint8Array.of(1) }, a: float([2], 1, 2) },
      '{\n    "outputs": {\n        "a": [\n            1.0,\n            2.0\n        ],' +
        '\n        "b": true\n    }\n}',
    ],
    [
      'bytes',
      { x_bytes: strings([1], 'hi') },
      '{\n    "outputs": [\n        {\n            "b64": "aGk="\n        }\n    ]\n}',
    ],
    ['an empty list', { y: float([0]) }, '{\n    "outputs": []\n}'],
  ])('%s', (_, outputs, json) => {
    expect(encodePredictResponse('columnar', outputs)).toBe(json);
  });

  it('writes float32 values the way TF Serving does', () => {
    const json = encodePredictResponse('columnar', {
      y: float([6], 9000000, 999999, 3e-5, 555557.5, 1234567, -0),
    });
    expect(json).toBe(
      '{\n    "outputs": [\n        9e+06,\n        999999.0,\n        3e-05,\n        555557.5,' +
        '\n        1234567.0,\n        -0.0\n    ]\n}',
    );
  });
});

describe('encodeErrorBody', () => {
  it('writes the message in rapidjson layout and escaping', () => {
    expect(encodeErrorBody('Servable not found for request: Latest(half)')).toBe(
      '{\n    "error": "Servable not found for request: Latest(half)"\n}',
    );
    expect(encodeErrorBody('Bad key: "key"\n\u0001/é\\')).toBe(
      '{\n    "error": "Bad key: \\"key\\"\\n\\u0001/é\\\\"\n}',
    );
  });
});
