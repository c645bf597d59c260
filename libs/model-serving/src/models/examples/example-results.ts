import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { type SignatureDef } from '../signature.js';
import { declaredTfName } from '../../tensor/dtypes.js';
import { elementCount, isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { CLASSES_OUTPUT, REGRESS_OUTPUT, SCORES_OUTPUT } from './example-signature.js';

/**
 * One class of one example: its label (bytes; empty when the signature has no `classes`
 * output) and score (0 when it has no `scores` output).
 * @publicApi
 */
export interface ExampleClass {
  readonly label: Uint8Array;
  readonly score: number;
}

const EMPTY = new Uint8Array(0);

/** TensorShape::DebugString: `[2,3]`. */
const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/** TensorFlow's name of a tensor's dtype: the declared one when the engine computes another. */
function dtypeName(signature: SignatureDef, alias: string, tensor: TensorData): string {
  return declaredTfName(signature.outputs[alias], tensor.dtype);
}

function checkFilled(alias: string, tensor: TensorData): void {
  if (tensor.data.length !== elementCount(tensor.shape)) {
    throw new InvalidInputError(
      `Output ${alias} has ${tensor.data.length} values for its shape ${shapeText(tensor.shape)}`,
    );
  }
}

/** TF Serving's checks of a `classes` or `scores` output. */
function checkClassOutput(
  signature: SignatureDef,
  alias: string,
  tensor: TensorData,
  count: number,
): void {
  const [what, expected] =
    alias === CLASSES_OUTPUT ? ['classes', 'DT_STRING'] : ['scores', 'DT_FLOAT'];
  if (tensor.shape.length !== 2) {
    throw new InvalidInputError(
      `Expected Tensor shape: [batch_size num_classes] but got ${shapeText(tensor.shape)}`,
    );
  }
  const dtype = dtypeName(signature, alias, tensor);
  if (dtype !== expected) {
    throw new InvalidInputError(`Expected ${what} Tensor of ${expected}. Got: ${dtype}`);
  }
  if (tensor.shape[0] !== count) {
    throw new InvalidInputError(
      `Expected ${what} output batch size of ${count}. Got: ${tensor.shape[0]}`,
    );
  }
  checkFilled(alias, tensor);
}

/**
 * The classes of each example from a classify signature's outputs, with TF Serving's checks
 * (`PostProcessClassificationResult`): `classes` a [batch, k] string tensor, `scores` a
 * [batch, k] float tensor, both with `count` rows and the same k.
 * @throws InvalidInputError with TF Serving's message when an output does not fit.
 */
export function classificationsOf(
  signature: SignatureDef,
  count: number,
  fetched: readonly string[],
  outputs: Readonly<Record<string, TensorData>>,
): ExampleClass[][] {
  const got = fetched.filter((alias) => outputs[alias] !== undefined).length;
  if (got !== fetched.length) {
    throw new InvalidInputError(`Expected ${fetched.length} output tensor(s).  Got: ${got}`);
  }
  const classes = fetched.includes(CLASSES_OUTPUT) ? outputs[CLASSES_OUTPUT] : undefined;
  const scores = fetched.includes(SCORES_OUTPUT) ? outputs[SCORES_OUTPUT] : undefined;
  if (classes) checkClassOutput(signature, CLASSES_OUTPUT, classes, count);
  if (scores) checkClassOutput(signature, SCORES_OUTPUT, scores, count);
  if (classes && scores && classes.shape[1] !== scores.shape[1]) {
    throw new InvalidInputError(
      `Tensors class and score should match in dim_size(1). Got ${classes.shape[1]} vs. ${scores.shape[1]}`,
    );
  }
  const k = (classes ?? scores)?.shape[1] ?? 0;
  const labels = classes && isStringData(classes.data) ? classes.data : undefined;
  const values = scores && !isStringData(scores.data) ? scores.data : undefined;
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: k }, (_, c) => ({
      label: labels?.[i * k + c] ?? EMPTY,
      score: Number(values?.[i * k + c] ?? 0),
    })),
  );
}

/**
 * The value of each example from a regress signature's `outputs` ([batch] or [batch, 1]
 * float), with TF Serving's checks (`PostProcessRegressionResult`).
 * @throws InvalidInputError with TF Serving's message when the output does not fit.
 */
export function regressionsOf(
  signature: SignatureDef,
  count: number,
  outputs: Readonly<Record<string, TensorData>>,
): number[] {
  const tensor = outputs[REGRESS_OUTPUT];
  if (tensor === undefined) {
    const name = signature.outputs[REGRESS_OUTPUT]?.name ?? REGRESS_OUTPUT;
    throw new InvalidInputError(`Could not find output tensor '${name}'`);
  }
  const { shape } = tensor;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw new InvalidInputError(
      `Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got ${shapeText(shape)}`,
    );
  }
  if (shape[0] !== count) {
    throw new InvalidInputError(
      `Input batch size did not match output batch size: ${count} vs. ${shape[0]}`,
    );
  }
  const dtype = dtypeName(signature, REGRESS_OUTPUT, tensor);
  if (dtype !== 'DT_FLOAT' || isStringData(tensor.data)) {
    throw new InvalidInputError(`Expected output Tensor of DT_FLOAT.  Got: ${dtype}`);
  }
  if (tensor.data.length !== count) {
    throw new InvalidInputError(
      `Expected output batch size to be ${count}.  Got: ${tensor.data.length}`,
    );
  }
  return Array.from(tensor.data as Float32Array);
}
