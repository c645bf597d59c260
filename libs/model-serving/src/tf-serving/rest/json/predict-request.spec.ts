import { InvalidInputError } from '../../../errors/invalid-input.error.js';
import { type SignatureDef } from '../../../models/signature.js';
import { type TensorDType } from '../../../tensor/tensor-data.js';
import { type PredictInputs, decodePredictInputs, readPredictRequest } from './predict-request.js';

function signature(inputs: Record<string, TensorDType>): SignatureDef {
  return {
    methodName: 'tensorflow/serving/predict',
    inputs: Object.fromEntries(
      Object.entries(inputs).map(([alias, dtype]) => [alias, { name: `${alias}:0`, dtype }]),
    ),
    outputs: {},
  };
}

function decode(
  body: string,
  inputs: Record<string, TensorDType> = { x: 'float32' },
): PredictInputs {
  const { doc, requestedSignatureName } = readPredictRequest(body);
  return decodePredictInputs(doc, requestedSignatureName, signature(inputs));
}

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

function message(body: string, inputs?: Record<string, TensorDType>): string {
  const error = failure(() => decode(body, inputs));
  expect(error).toBeInstanceOf(InvalidInputError);
  return error.message;
}

const element = (i: number, text: string): string =>
  `Failed to process element: ${i} of 'instances' list. Error: INVALID_ARGUMENT: ${text}`;

describe('readPredictRequest', () => {
  it('resolves the signature name', () => {
    expect(readPredictRequest('{"instances":[1]}')).toMatchObject({
      signatureName: 'serving_default',
      requestedSignatureName: '',
    });
    expect(readPredictRequest('{"signature_name":""}').signatureName).toBe('serving_default');
    expect(readPredictRequest('{"signature_name":"a","signature_name":"b"}')).toMatchObject({
      signatureName: 'a',
      requestedSignatureName: 'a',
    });
  });

  it('rejects bodies that are not JSON objects', () => {
    expect(message('')).toBe('JSON Parse error: The document is empty');
    expect(message('[1, 2]')).toBe('JSON Value: [1, 2] Is not object');
    expect(message('"x" {')).toBe('JSON Value: "x" Is not object');
    expect(message('{"instances": [1,}')).toBe('JSON Parse error: Invalid value. at offset: 17');
  });

  it('requires signature_name to be a string', () => {
    expect(message('{"signature_name": 1, "instances": [1]}')).toBe(
      'JSON Value: {\n    "signature_name": 1,\n    "instances": [1]\n} not formatted correctly. ' +
        "'signature_name' key must be a string value.",
    );
    const deep = message(`{"signature_name":${'['.repeat(500000)}${']'.repeat(500000)}}`);
    expect(deep).toBe(
      `JSON Value: {\n    "signature_name": ${'['.repeat(232)} not formatted correctly. ` +
        "'signature_name' key must be a string value.",
    );
  });
});

describe('decodePredictInputs: request shape', () => {
  it('needs a signature with inputs', () => {
    expect(message('{"instances":[1]}', {})).toBe('Failed to get input map for signature: DEFAULT');
    expect(message('{"signature_name":"s","instances":[1]}', {})).toBe(
      'Failed to get input map for signature: s',
    );
  });

  it('needs exactly one of instances and inputs', () => {
    expect(message('{"instances":[1],"inputs":[1]}')).toBe(
      'JSON Value: {\n    "instances": [1],\n    "inputs": [1]\n} Not formatted correctly ' +
        "expecting only one of 'inputs' or 'instances' keys to exist ",
    );
    expect(message('{"instances":1}')).toBe(
      'JSON Value: {\n    "instances": 1\n} Expecting \'instances\' to be an list/array',
    );
    expect(message('{"instances":[]}')).toBe(
      'JSON Value: {\n    "instances": []\n} No values in \'instances\' array',
    );
    expect(message('{"signature_name":"x"}')).toBe("Missing 'inputs' or 'instances' key");
  });

  it('accepts 500000 nested arrays beside the inputs', () => {
    const body = `{"instances":[1], "nested":${'['.repeat(500000)}${']'.repeat(500000)}}`;
    expect(Object.keys(decode(body).inputs)).toEqual(['x']);
  });
});

describe('decodePredictInputs: row format', () => {
  it('batches a plain list for a single input', () => {
    expect(decode('{"instances":[1, 2.5, NaN, -Infinity]}')).toEqual({
      format: 'row',
      inputs: {
        x: { dtype: 'float32', shape: [4], data: Float32Array.of(1, 2.5, NaN, -Infinity) },
      },
    });
    expect(decode('{"instances":[[1,2],[3,4]]}').inputs.x).toEqual({
      dtype: 'float32',
      shape: [2, 2],
      data: Float32Array.of(1, 2, 3, 4),
    });
    expect(decode('{"instances":[[], []]}').inputs.x?.shape).toEqual([2, 0]);
  });

  it('requires every element to have the first one size and shape', () => {
    expect(message('{"instances":[[1,2],[3]]}')).toBe(
      element(1, 'Expecting tensor size: 2 but got: 1'),
    );
    expect(message('{"instances":[[[1,2]], [[1],[2]]]}')).toBe(
      element(1, 'Expecting shape [1,2] but got: [2,1]'),
    );
    expect(message('{"instances":[1, [1]]}')).toBe(element(1, 'Expecting shape [] but got: [1]'));
  });

  it('builds one tensor per key from objects', () => {
    const { inputs } = decode('{"instances":[{"a":1,"b":[1,2]},{"b":[3,4],"a":-2147483648}]}', {
      a: 'int32',
      b: 'float32',
    });
    expect(inputs).toEqual({
      a: { dtype: 'int32', shape: [2], data: Int32Array.of(1, -2147483648) },
      b: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
    });
  });

  it('checks the element kinds and the keys', () => {
    const two = { a: 'float32', b: 'float32' } as const;
    expect(message('{"instances":[1, 2]}', two)).toBe(
      'instances is a plain list, but expecting list of objects as multiple input tensors ' +
        'required as per tensorinfo_map',
    );
    expect(message('{"instances":[{"a":1,"b":2}, [1]]}', two)).toBe(
      'Expecting object but got list at item 1 of input list',
    );
    expect(message('{"instances":[1, {"x":1}]}')).toBe(
      'Expecting value/list but got object at item 1 of input list',
    );
    expect(message('{"instances":[{"a":1,"b":2,"c":3}]}', two)).toBe(
      "Failed to process element: 0 key: c of 'instances' list. Error: INVALID_ARGUMENT: " +
        'JSON object: does not have named input: c',
    );
    expect(message('{"instances":[{"a":1}]}', two)).toBe(
      'Failed to process element: 0 of \'instances\' list. JSON object: {\n    "a": 1\n} ' +
        'keys must be equal to: a,b',
    );
    expect(message('{"instances":[{"a":"x","b":1}]}', { a: 'int32', b: 'float32' })).toBe(
      "Failed to process element: 0 key: a of 'instances' list. Error: INVALID_ARGUMENT: " +
        'JSON Value: "x" Type: String is not of expected type: int32',
    );
  });

  it('keeps the first values of a key repeated in an element, as TensorFlow truncates', () => {
    expect(decode('{"instances":[{"x":1,"x":2},{"x":3}]}').inputs.x?.data).toEqual(
      Float32Array.of(1, 2),
    );
    expect(decode('{"instances":[{"x\\u0000tail":5}]}').inputs.x?.data).toEqual(Float32Array.of(5));
  });

  it('reads a list of b64 objects as a plain list of strings', () => {
    expect(decode('{"instances":[{"b64":"aGk="},{"b64":"eW8"}]}', { x: 'string' })).toEqual({
      format: 'row',
      inputs: { x: { dtype: 'string', shape: [2], data: [Buffer.from('hi'), Buffer.from('yo')] } },
    });
  });
});

describe('decodePredictInputs: values', () => {
  it('wraps value errors with the element index and status code', () => {
    expect(message('{"instances":[1.0]}', { x: 'int32' })).toBe(
      element(0, 'JSON Value: 1.0 Type: Number is not of expected type: int32'),
    );
    expect(message('{"instances":[{"b64":"a"}]}', { x: 'string' })).toBe(
      element(0, 'Unable to base64 decode'),
    );
  });

  it('fills every dtype exactly, and wraps out-of-range values with the element index', () => {
    const int64 = { x: 'int64' as TensorDType };
    expect(decode('{"instances":[9007199254740993,-9223372036854775808]}', int64).inputs).toEqual({
      x: { dtype: 'int64', shape: [2], data: BigInt64Array.of(9007199254740993n, -(2n ** 63n)) },
    });
    expect(decode('{"inputs":[[0.30000000000000004]]}', { x: 'float64' }).inputs.x?.data).toEqual(
      Float64Array.of(0.1 + 0.2),
    );
    expect(message('{"instances":[1, 256]}', { x: 'uint8' })).toBe(
      "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: " +
        'JSON Value: 256 Type: Number is out of range for type: uint8 (an integer from 0 to 255)',
    );
    expect(message('{"inputs":[9223372036854775808]}', int64)).toBe(
      'JSON Value: 9223372036854775808 Type: Number is not of expected type: int64',
    );
  });
});

describe('decodePredictInputs: columnar format', () => {
  it('takes a plain value or list for a single input', () => {
    expect(decode('{"inputs":[[1,2],[3,4]]}')).toEqual({
      format: 'columnar',
      inputs: { x: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } },
    });
    expect(decode('{"inputs":5}').inputs.x).toEqual({
      dtype: 'float32',
      shape: [],
      data: Float32Array.of(5),
    });
    expect(decode('{"inputs":{"b64":"aGk="}}', { x: 'string' }).inputs.x).toEqual({
      dtype: 'string',
      shape: [],
      data: [Buffer.from('hi')],
    });
  });

  it('takes an object keyed by input, ignoring extra keys', () => {
    const { inputs } = decode('{"inputs":{"b":[[1],[2]],"a":[true],"extra":5}}', {
      a: 'bool',
      b: 'int32',
    });
    expect(inputs).toEqual({
      a: { dtype: 'bool', shape: [1], data: Uint8Array.of(1) },
      b: { dtype: 'int32', shape: [2, 1], data: Int32Array.of(1, 2) },
    });
  });

  it('reports missing inputs and misplaced values', () => {
    expect(message('{"inputs":{"a":[1]}}', { a: 'float32', b: 'float32' })).toBe(
      "Missing named input: b in 'inputs' object.",
    );
    expect(message('{"inputs":{"y":[1]}}')).toBe("Missing named input: x in 'inputs' object.");
    expect(message('{"inputs":[1]}', { a: 'float32', b: 'float32' })).toBe(
      'inputs is a plain value/list, but expecting an object as multiple input tensors ' +
        'required as per tensorinfo_map',
    );
  });

  it('reports list errors without wrapping', () => {
    expect(message('{"inputs":[[1],2]}')).toBe(
      'JSON Value: 2 found at incorrect level: 2 in the JSON DOM. Expected at level: 2',
    );
  });
});

describe('decodePredictInputs on nested number lists', () => {
  it('takes instances that form one block as the tensor', () => {
    const { inputs } = decode('{"instances":[[[[0.5],[1]],[[2],[3]]],[[[4],[5]],[[6],[7]]]]}');
    expect(inputs['x']?.shape).toEqual([2, 2, 2, 1]);
    expect(inputs['x']?.data).toEqual(Float32Array.of(0.5, 1, 2, 3, 4, 5, 6, 7));
    const ints = decode('{"instances":[[1,2],[3,4]]}', { x: 'int32' }).inputs['x'];
    expect(ints).toEqual({ dtype: 'int32', shape: [2, 2], data: Int32Array.of(1, 2, 3, 4) });
  });

  it('reports instances the dtype refuses as TF Serving does', () => {
    expect(message('{"instances":[[1,2],[3,4.5]]}', { x: 'int32' })).toBe(
      "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: JSON Value: 4.5 Type: Number is not of expected type: int32",
    );
    expect(message('{"instances":[[1,2],[3,4]]}', { x: 'bool' })).toBe(
      "Failed to process element: 0 of 'instances' list. Error: INVALID_ARGUMENT: JSON Value: 1 Type: Number is not of expected type: bool",
    );
  });

  it('fills columnar inputs from blocks', () => {
    const { inputs } = decode('{"inputs":{"x":[[[1],[2]],[[3],[4]]]}}');
    expect(inputs['x']?.shape).toEqual([2, 2, 1]);
    expect(inputs['x']?.data).toEqual(Float32Array.of(1, 2, 3, 4));
  });
});
