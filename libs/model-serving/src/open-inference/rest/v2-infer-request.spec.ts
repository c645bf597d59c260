import { readV2InferRequest } from './v2-infer-request.js';

const input = {
  name: 'x',
  shape: [2, 2],
  datatype: 'FP32',
  data: [
    [1, 2],
    [3, 4],
  ],
};

describe('readV2InferRequest', () => {
  it('reads text, bytes and already-parsed bodies alike, flattening nested data', () => {
    const doc = { id: '7', parameters: { a: 1 }, inputs: [input], outputs: [{ name: 'y' }] };
    const expected = {
      model: 'm',
      version: '2',
      id: '7',
      inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', values: [1, 2, 3, 4] }],
      outputs: ['y'],
    };
    expect(readV2InferRequest(JSON.stringify(doc), 'm', '2')).toEqual(expected);
    expect(readV2InferRequest(Buffer.from(JSON.stringify(doc)), 'm', '2')).toEqual(expected);
    expect(readV2InferRequest(doc, 'm', '2')).toEqual(expected);
  });

  it('leaves out what the request leaves out', () => {
    const call = readV2InferRequest({ inputs: [] }, 'm', undefined);
    expect(call).toEqual({ model: 'm', version: undefined, inputs: [] });
  });

  it.each([
    ['bad JSON', '{"inputs": [', /not valid JSON/],
    ['an empty body', '  ', /empty/],
    ['no body', undefined, /missing/],
    ['an array', '[]', /must be a JSON object/],
    ['no inputs', '{}', /"inputs"/],
    ['a numeric id', '{"id": 1, "inputs": []}', /"id" must be a string/],
    ['bad parameters', '{"parameters": 1, "inputs": []}', /"parameters"/],
    ['an unnamed input', '{"inputs": [{"shape": [1], "datatype": "FP32", "data": [1]}]}', /"name"/],
    [
      'an input without data',
      '{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32"}]}',
      /no "data"/,
    ],
    [
      'an input without datatype',
      '{"inputs": [{"name": "x", "shape": [1], "data": [1]}]}',
      /no "datatype"/,
    ],
    [
      'an object in data',
      '{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [{}]}]}',
      /not a value/,
    ],
    ['outputs not a list', '{"inputs": [], "outputs": {}}', /"outputs" must be a list/],
    ['an unnamed output', '{"inputs": [], "outputs": [{}]}', /outputs\[0\]/],
  ])('rejects %s', (_name, body, message) => {
    expect(() => readV2InferRequest(body, 'm', undefined)).toThrow(message);
  });
});
