import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { type SignatureDef, type TensorSpec } from '../signature.js';
import { classifyOutputs, regressOutputs } from './example-signature.js';
import { signatureDebugString } from './signature-debug-string.js';

const EXAMPLES: TensorSpec = { name: 'tf_example:0', dtype: 'string' };
const FLOAT: TensorSpec = { name: 'y:0', dtype: 'float32', shape: [-1, 1] };
const sig = (
  methodName: string,
  inputs: Record<string, TensorSpec>,
  outputs: Record<string, TensorSpec>,
): SignatureDef => ({ methodName, inputs, outputs });

const CLASSIFY = 'tensorflow/serving/classify';
const REGRESS = 'tensorflow/serving/regress';
const PREDICT = 'tensorflow/serving/predict';

describe('classifyOutputs', () => {
  it.each([
    [CLASSIFY, { scores: FLOAT }, ['scores']],
    [CLASSIFY, { classes: EXAMPLES }, ['classes']],
    [PREDICT, { scores: FLOAT, classes: EXAMPLES }, ['classes', 'scores']],
    [CLASSIFY, { scores: FLOAT, extra: FLOAT }, ['scores']],
  ])('accepts %s signatures with outputs %j, fetching %j', (method, outputs, fetched) => {
    expect(classifyOutputs(sig(method, { inputs: EXAMPLES }, outputs))).toEqual(fetched);
  });

  const noAlias = sig(PREDICT, { x: FLOAT }, { y: FLOAT });
  const noOutputs = sig(CLASSIFY, { inputs: EXAMPLES }, { probabilities: FLOAT });
  it.each([
    [
      sig(REGRESS, { inputs: EXAMPLES }, { scores: FLOAT }),
      'Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/regress',
    ],
    [
      sig('', { inputs: EXAMPLES }, { scores: FLOAT }),
      'Expected classification signature method_name to be tensorflow/serving/classify. Was: ',
    ],
    [
      sig(CLASSIFY, { inputs: EXAMPLES, b: EXAMPLES }, { scores: FLOAT }),
      'Expected one input Tensor.',
    ],
    [sig(CLASSIFY, { inputs: EXAMPLES }, {}), 'Expected one or two output Tensors, found 0'],
    [
      sig(CLASSIFY, { inputs: EXAMPLES }, { a: FLOAT, b: FLOAT, c: FLOAT }),
      'Expected one or two output Tensors, found 3',
    ],
    [noAlias, `No classification inputs found in SignatureDef: ${signatureDebugString(noAlias)}`],
    [
      noOutputs,
      `Expected classification signature outputs to contain at least one of "classes" or "scores". Signature was: ${signatureDebugString(noOutputs)}`,
    ],
  ])('refuses %j: %s', (signature, message) => {
    expect(() => classifyOutputs(signature)).toThrow(new InvalidInputError(message));
  });
});

describe('regressOutputs', () => {
  it.each([REGRESS, PREDICT])('accepts %s signatures with the regress aliases', (method) => {
    expect(regressOutputs(sig(method, { inputs: EXAMPLES }, { outputs: FLOAT }))).toEqual([
      'outputs',
    ]);
  });

  const noAlias = sig(REGRESS, { x: EXAMPLES }, { outputs: FLOAT });
  const noOutputs = sig(PREDICT, { inputs: EXAMPLES }, { y: FLOAT });
  it.each([
    [
      sig(CLASSIFY, { inputs: EXAMPLES }, { outputs: FLOAT }),
      'Expected regression signature method_name to be tensorflow/serving/regress. Was: tensorflow/serving/classify',
    ],
    [sig(REGRESS, {}, { outputs: FLOAT }), 'Expected one input Tensor.'],
    [
      sig(REGRESS, { inputs: EXAMPLES }, { outputs: FLOAT, y: FLOAT }),
      'Expected one output Tensor.',
    ],
    [noAlias, `No regression inputs found in SignatureDef: ${signatureDebugString(noAlias)}`],
    [noOutputs, `No regression outputs found in SignatureDef: ${signatureDebugString(noOutputs)}`],
  ])('refuses %j: %s', (signature, message) => {
    expect(() => regressOutputs(signature)).toThrow(new InvalidInputError(message));
  });
});
