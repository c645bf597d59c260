import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { type SignatureDef, type TensorSpec } from '../signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { classificationsOf, regressionsOf } from './example-results.js';

const text = (s: string) => new TextEncoder().encode(s);
const floats = (shape: number[], ...values: number[]): TensorData => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});
const strings = (shape: number[], ...values: string[]): TensorData => ({
  dtype: 'string',
  shape,
  data: values.map(text),
});
const ints = (shape: number[], ...values: number[]): TensorData => ({
  dtype: 'int32',
  shape,
  data: Int32Array.from(values),
});
const FLOAT: TensorSpec = { name: 'y:0', dtype: 'float32', shape: [-1, 1] };
const signature = (outputs: Record<string, TensorSpec>): SignatureDef => ({
  methodName: 'tensorflow/serving/classify',
  inputs: { inputs: { name: 'tf_example:0', dtype: 'string' } },
  outputs,
});
const classify = signature({ classes: { name: 'c:0', dtype: 'string' }, scores: FLOAT });
const regress = signature({ outputs: FLOAT });

describe('classificationsOf', () => {
  it('pairs classes with scores per example; scores alone get empty labels, classes alone 0', () => {
    expect(
      classificationsOf(classify, 2, ['classes', 'scores'], {
        classes: strings([2, 2], 'car', 'bike', 'a', 'b'),
        scores: floats([2, 2], 0.25, 0.75, 1, 0),
      }),
    ).toEqual([
      [
        { label: text('car'), score: 0.25 },
        { label: text('bike'), score: 0.75 },
      ],
      [
        { label: text('a'), score: 1 },
        { label: text('b'), score: 0 },
      ],
    ]);
    expect(classificationsOf(classify, 2, ['scores'], { scores: floats([2, 1], 2.5, 3) })).toEqual([
      [{ label: new Uint8Array(0), score: 2.5 }],
      [{ label: new Uint8Array(0), score: 3 }],
    ]);
    expect(classificationsOf(classify, 1, ['classes'], { classes: strings([1, 1], 'x') })).toEqual([
      [{ label: text('x'), score: 0 }],
    ]);
    expect(classificationsOf(classify, 1, ['scores'], { scores: floats([1, 0]) })).toEqual([[]]);
  });

  const double = signature({ scores: { ...FLOAT, tfDtype: 'DT_DOUBLE' } });
  it.each([
    [
      classify,
      ['classes', 'scores'],
      { scores: floats([1, 1], 1) },
      'Expected 2 output tensor(s).  Got: 1',
    ],
    [
      classify,
      ['scores'],
      { scores: floats([1], 1) },
      'Expected Tensor shape: [batch_size num_classes] but got [1]',
    ],
    [
      classify,
      ['classes'],
      { classes: strings([1, 1, 1], 'a') },
      'Expected Tensor shape: [batch_size num_classes] but got [1,1,1]',
    ],
    [
      classify,
      ['classes'],
      { classes: floats([1, 1], 1) },
      'Expected classes Tensor of DT_STRING. Got: DT_FLOAT',
    ],
    [
      classify,
      ['scores'],
      { scores: ints([1, 1], 1) },
      'Expected scores Tensor of DT_FLOAT. Got: DT_INT32',
    ],
    [
      double,
      ['scores'],
      { scores: floats([1, 1], 1) },
      'Expected scores Tensor of DT_FLOAT. Got: DT_DOUBLE',
    ],
    [
      classify,
      ['classes'],
      { classes: strings([2, 1], 'a', 'b') },
      'Expected classes output batch size of 1. Got: 2',
    ],
    [
      classify,
      ['scores'],
      { scores: floats([0, 1]) },
      'Expected scores output batch size of 1. Got: 0',
    ],
    [
      classify,
      ['classes', 'scores'],
      { classes: strings([1, 2], 'a', 'b'), scores: floats([1, 3], 1, 2, 3) },
      'Tensors class and score should match in dim_size(1). Got 2 vs. 3',
    ],
    [
      classify,
      ['scores'],
      { scores: floats([1, 2], 1) },
      'Output scores has 1 values for its shape [1,2]',
    ],
  ])('refuses outputs that do not fit (%#): %s', (sig, fetched, outputs, message) => {
    expect(() => classificationsOf(sig, 1, fetched, outputs as Record<string, TensorData>)).toThrow(
      new InvalidInputError(message),
    );
  });
});

describe('regressionsOf', () => {
  it('reads [batch] and [batch, 1] float outputs', () => {
    expect(regressionsOf(regress, 2, { outputs: floats([2], 3.5, 4) })).toEqual([3.5, 4]);
    expect(regressionsOf(regress, 2, { outputs: floats([2, 1], 3.5, 4) })).toEqual([3.5, 4]);
  });

  it.each([
    [{}, "Could not find output tensor 'y:0'"],
    [
      { outputs: floats([1, 2], 1, 2) },
      'Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got [1,2]',
    ],
    [
      { outputs: floats([], 1) },
      'Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got []',
    ],
    [{ outputs: floats([2], 1, 2) }, 'Input batch size did not match output batch size: 1 vs. 2'],
    [{ outputs: ints([1], 1) }, 'Expected output Tensor of DT_FLOAT.  Got: DT_INT32'],
    [{ outputs: floats([1]) }, 'Expected output batch size to be 1.  Got: 0'],
  ])('refuses outputs that do not fit (%#): %s', (outputs, message) => {
    expect(() => regressionsOf(regress, 1, outputs as Record<string, TensorData>)).toThrow(
      new InvalidInputError(message),
    );
  });
});
