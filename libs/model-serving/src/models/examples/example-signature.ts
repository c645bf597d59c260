import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { PREDICT_METHOD, type SignatureDef } from '../signature.js';
import { signatureDebugString } from './signature-debug-string.js';

/** TF Serving's method name of classify signatures (and of classify tasks). */
export const CLASSIFY_METHOD = 'tensorflow/serving/classify';
/** TF Serving's method name of regress signatures (and of regress tasks). */
export const REGRESS_METHOD = 'tensorflow/serving/regress';

/** What a task does with the examples. */
export type ExampleTask = 'classify' | 'regress';

// The aliases of TensorFlow's `signature_constants.h`.
/** The input of classify and regress signatures: a 1-D string tensor of serialized examples. */
export const EXAMPLES_INPUT = 'inputs';
/** A classify output: [batch, k] string labels. */
export const CLASSES_OUTPUT = 'classes';
/** A classify output: [batch, k] float scores. */
export const SCORES_OUTPUT = 'scores';
/** The regress output: [batch] or [batch, 1] floats. */
export const REGRESS_OUTPUT = 'outputs';

const has = (map: object, key: string): boolean => Object.hasOwn(map, key);

/**
 * TensorFlow 2 exports label every signature `tensorflow/serving/predict`, and TF Serving (whose
 * method-name check is off by default) still classifies and regresses on them when the aliases
 * fit; any other method is refused with the error its check gives.
 */
function checkMethod(signature: SignatureDef, task: ExampleTask): void {
  const [expected, what] =
    task === 'classify' ? [CLASSIFY_METHOD, 'classification'] : [REGRESS_METHOD, 'regression'];
  if (signature.methodName !== expected && signature.methodName !== PREDICT_METHOD) {
    throw new InvalidInputError(
      `Expected ${what} signature method_name to be ${expected}. Was: ${signature.methodName}`,
    );
  }
}

/**
 * Checks a signature can classify serialized examples (TF Serving's
 * `PreProcessClassification`) and names the outputs to fetch: `classes` and/or `scores`.
 * @throws InvalidInputError with TF Serving's message for a wrong method, input or outputs.
 */
export function classifyOutputs(signature: SignatureDef): string[] {
  checkMethod(signature, 'classify');
  const outputs = Object.keys(signature.outputs).length;
  if (Object.keys(signature.inputs).length !== 1) {
    throw new InvalidInputError('Expected one input Tensor.');
  }
  if (outputs !== 1 && outputs !== 2) {
    throw new InvalidInputError(`Expected one or two output Tensors, found ${outputs}`);
  }
  if (!has(signature.inputs, EXAMPLES_INPUT)) {
    throw new InvalidInputError(
      `No classification inputs found in SignatureDef: ${signatureDebugString(signature)}`,
    );
  }
  const fetched = [CLASSES_OUTPUT, SCORES_OUTPUT].filter((alias) => has(signature.outputs, alias));
  if (fetched.length === 0) {
    throw new InvalidInputError(
      `Expected classification signature outputs to contain at least one of "${CLASSES_OUTPUT}" or "${SCORES_OUTPUT}". Signature was: ${signatureDebugString(signature)}`,
    );
  }
  return fetched;
}

/**
 * Checks a signature can regress serialized examples (TF Serving's `PreProcessRegression`)
 * and names the output to fetch: `outputs`.
 * @throws InvalidInputError with TF Serving's message for a wrong method, input or outputs.
 */
export function regressOutputs(signature: SignatureDef): string[] {
  checkMethod(signature, 'regress');
  if (Object.keys(signature.inputs).length !== 1) {
    throw new InvalidInputError('Expected one input Tensor.');
  }
  if (Object.keys(signature.outputs).length !== 1) {
    throw new InvalidInputError('Expected one output Tensor.');
  }
  if (!has(signature.inputs, EXAMPLES_INPUT)) {
    throw new InvalidInputError(
      `No regression inputs found in SignatureDef: ${signatureDebugString(signature)}`,
    );
  }
  if (!has(signature.outputs, REGRESS_OUTPUT)) {
    throw new InvalidInputError(
      `No regression outputs found in SignatureDef: ${signatureDebugString(signature)}`,
    );
  }
  return [REGRESS_OUTPUT];
}
