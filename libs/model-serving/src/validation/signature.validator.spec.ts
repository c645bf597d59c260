import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type SignatureDef } from '../models/signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { validateInputs } from './signature.validator.js';

const WHERE = { model: 'm', version: 1, signature: 'serving_default' };
const signature = (dtype: TensorData['dtype']): SignatureDef =>
  ({ inputs: { x: { name: 'x:0', dtype, shape: [-1] } }, outputs: {} }) as unknown as SignatureDef;
const check = (dtype: TensorData['dtype'], data: unknown) => () =>
  validateInputs(WHERE, signature(dtype), {
    x: { dtype, shape: [2], data: data as TensorData['data'] },
  });

describe('validateInputs: the array a dtype carries', () => {
  it.each([
    ['int64', BigInt64Array.of(1n, 2n)],
    ['uint64', BigUint64Array.of(1n, 2n)],
    ['float16', Uint16Array.of(0x3c00, 0)],
    ['float64', Float64Array.of(1, 2)],
    ['bool', Uint8Array.of(1, 0)],
    ['float32', Float32Array.of(1, 2)],
    ['string', [new Uint8Array(1), new Uint8Array(0)]],
  ] as const)('passes %s in its own array', (dtype, data) => {
    expect(check(dtype, data)).not.toThrow();
  });

  it.each([
    ['int64', Int32Array.of(1, 2), 'BigInt64Array, got Int32Array'],
    ['float64', Float32Array.of(1, 2), 'Float64Array, got Float32Array'],
    ['float16', Float32Array.of(1, 2), 'Uint16Array, got Float32Array'],
    ['float32', [1, 2], 'Float32Array, got Array'],
    ['string', Uint8Array.of(1, 2), 'list of Uint8Array strings, got Uint8Array'],
  ] as const)('refuses %s carried in the wrong array, naming both', (dtype, data, named) => {
    expect(check(dtype, data)).toThrow(InvalidInputError);
    expect(check(dtype, data)).toThrow(
      `model 'm' version 1 signature 'serving_default' input 'x' of dtype ${dtype} must carry its values in a ${named}`,
    );
  });
});
