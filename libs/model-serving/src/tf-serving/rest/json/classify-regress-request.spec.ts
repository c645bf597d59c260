import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type FeatureValues } from '../../../models/examples/example-codec.js';
import { type ExamplesRequest, readExamplesRequest } from './classify-regress-request.js';
import { readPredictRequest } from './predict-request.js';

const read = (body: string): ExamplesRequest => readExamplesRequest(readPredictRequest(body).doc);
const text = (s: string) => new TextEncoder().encode(s);
const features = (entries: [string, FeatureValues][]) => new Map<string, FeatureValues>(entries);

describe('readExamplesRequest', () => {
  it('reads every feature kind as TF Serving does', () => {
    const request = read(
      '{"examples": [{"f": 2.0, "fl": [1.5, 1e2, NaN], "i": 7, "il": [1, -2, true, false], ' +
        '"big": 9223372036854775807, "s": "héllo", "sl": ["a", {"b64": "aGk="}], "e": [], ' +
        '"nul\\u0000cut": "x", "d": 1, "d": [0.5]}], "signature_name": "s"}',
    );
    expect(request.context).toBeUndefined();
    expect(request.examples).toEqual([
      features([
        ['f', { kind: 'float', values: [2] }],
        ['fl', { kind: 'float', values: [1.5, 100, NaN] }],
        ['i', { kind: 'int64', values: [7n] }],
        ['il', { kind: 'int64', values: [1n, -2n, 1n, 0n] }],
        ['big', { kind: 'int64', values: [9223372036854775807n] }],
        ['s', { kind: 'bytes', values: [text('héllo')] }],
        ['sl', { kind: 'bytes', values: [text('a'), text('hi')] }],
        ['e', { kind: 'none' }],
        ['nul', { kind: 'bytes', values: [text('x')] }],
        ['d', { kind: 'float', values: [0.5] }], // the last duplicate wins
      ]),
    ]);
  });

  it('stores floats as float32 and reads the context', () => {
    const request = read('{"context": {"c": 0.1}, "examples": [{}, {"x": "y"}]}');
    expect(request.context).toEqual(
      features([['c', { kind: 'float', values: [Math.fround(0.1)] }]]),
    );
    expect(request.examples).toEqual([
      features([]),
      features([['x', { kind: 'bytes', values: [text('y')] }]]),
    ]);
  });

  it.each([
    [
      '{"signature_name": "s"}',
      `JSON Value: {\n    "signature_name": "s"\n} When method is classify, key 'examples' is expected and was not found`,
    ],
    [
      '{"examples": 1}',
      `JSON Value: {\n    "examples": 1\n} Expecting 'examples' value to be an list/array`,
    ],
    ['{"examples": []}', `JSON Value: {\n    "examples": []\n} 'examples' value is an empty array`],
    ['{"examples": [1]}', 'Example must be JSON object but got JSON Number'],
    ['{"examples": [true]}', 'Example must be JSON object but got JSON True'],
    ['{"examples": ["a"]}', 'Example must be JSON object but got JSON String'],
    ['{"context": [], "examples": [{}]}', 'Example must be JSON object but got JSON Array'],
    // The context is read first.
    ['{"context": null, "examples": 1}', 'Example must be JSON object but got JSON Null'],
    ['{"examples": [{"f": null}]}', 'Feature: f has element with unexpected JSON type: Null'],
    ['{"examples": [{"f": [1, null]}]}', 'Feature: f has element with unexpected JSON type: Null'],
    ['{"examples": [{"f": [[1]]}]}', 'Feature: f has element with unexpected JSON type: Array'],
    ['{"examples": [{"f": {"a": 1}}]}', 'Feature: f has element with unexpected JSON type: Object'],
    [
      '{"examples": [{"f": {"b64": 1}}]}',
      'Feature: f has element with unexpected JSON type: Object',
    ],
    ['{"examples": [{"f": {"b64": "a"}}]}', 'Unable to base64 decode'],
    [
      '{"examples": [{"f": [1, 1.5]}]}',
      'Unexpected element type in feature: f expecting type: int64',
    ],
    [
      '{"examples": [{"f": [1.5, 1]}]}',
      'Unexpected element type in feature: f expecting type: float',
    ],
    [
      '{"examples": [{"f": [1.5, true]}]}',
      'Unexpected element type in feature: f expecting type: float',
    ],
    [
      '{"examples": [{"f": ["a", 1]}]}',
      'Unexpected element type in feature: f expecting type: bytes',
    ],
    [
      '{"examples": [{"f": ["a", 1.5]}]}',
      'Unexpected element type in feature: f expecting type: bytes',
    ],
    [
      '{"examples": [{"f": [1, "a"]}]}',
      'Unexpected element type in feature: f expecting type: int64',
    ],
    [
      '{"examples": [{"f": [1.5, {"b64": ""}]}]}',
      'Unexpected element type in feature: f expecting type: float',
    ],
    [
      '{"examples": [{"f": 18446744073709551615}]}',
      'Feature: f has uint64_t element. Only int64_t is supported.',
    ],
    // The kind is checked before the range.
    [
      '{"examples": [{"f": [1.5, 18446744073709551615]}]}',
      'Unexpected element type in feature: f expecting type: float',
    ],
  ])('refuses %s', (body, message) => {
    expect(() => read(body)).toThrow(new InvalidInputError(message));
  });
});
