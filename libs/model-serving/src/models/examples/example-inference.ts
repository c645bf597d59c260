import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { type RunOptions } from '../model.executor.js';
import { type PredictResult, type ResolvedModelSpec, runPredict } from '../predict-util.js';
import { type HeldServable, type RunNote } from '../servable.js';
import { type VersionSelector } from '../served-model.js';
import { DEFAULT_SIGNATURE, servedSignature, type SignatureDef } from '../signature.js';
import { classificationsOf, type ExampleClass, regressionsOf } from './example-results.js';
import { classifyOutputs, EXAMPLES_INPUT, regressOutputs } from './example-signature.js';

/**
 * A classify or regress call in protocol-neutral terms: the examples are serialized
 * `tensorflow.Example`s, any shared context already merged into each.
 */
export interface ExampleCall extends VersionSelector {
  readonly model: string;
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  readonly examples: readonly Uint8Array[];
}

/** What Classify answers: the resolved model spec and the classes of each example. */
export interface ClassifyResult {
  readonly modelSpec: ResolvedModelSpec;
  /** The classes of each example, in order. */
  readonly results: ExampleClass[][];
}

/** What Regress answers: the resolved model spec and one value per example. */
export interface RegressResult {
  readonly modelSpec: ResolvedModelSpec;
  /** One value per example, in order. */
  readonly results: number[];
}

/** The batch a classify/regress signature is fed: a 1-D string tensor of serialized examples. */
export function examplesTensor(examples: readonly Uint8Array[]): TensorData {
  return { dtype: 'string', shape: [examples.length], data: examples };
}

/**
 * Runs signature `key` on serialized examples, fetching `outputs`. TF Serving checks for an
 * empty input only once the servable and signature are known.
 * @throws InvalidInputError `Input is empty.` when there are no examples.
 */
export function runOnExamples(
  servable: HeldServable,
  key: string,
  outputs: readonly string[],
  examples: readonly Uint8Array[],
  options: RunOptions,
  note: RunNote,
): Promise<PredictResult> {
  if (examples.length === 0) throw new InvalidInputError('Input is empty.');
  return runPredict(
    servable,
    { signature: key, inputs: { [EXAMPLES_INPUT]: examplesTensor(examples) }, outputs },
    options,
    note,
  );
}

/** The signature a call names, with TF Serving's not-found text. */
function exampleSignature(
  servable: HeldServable,
  call: { signature?: string },
): { key: string; signature: SignatureDef } {
  const key = call.signature || DEFAULT_SIGNATURE;
  const signature = servedSignature(servable.executor.signatures, key);
  if (!signature) throw new InvalidInputError(`No signature was found with the name: ${key}`);
  return { key, signature };
}

/** Checks the signature, feeds it the examples, reads the answer: the shared half of both. */
async function inferOnExamples<R>(
  servable: HeldServable,
  call: Omit<ExampleCall, 'model'>,
  outputsOf: (signature: SignatureDef) => string[],
  read: (
    signature: SignatureDef,
    count: number,
    fetched: string[],
    outputs: Record<string, TensorData>,
  ) => R,
  options: RunOptions,
  note: RunNote,
): Promise<{ modelSpec: ResolvedModelSpec; results: R }> {
  const { key, signature } = exampleSignature(servable, call);
  note.signature = key;
  const fetched = outputsOf(signature);
  const result = await runOnExamples(servable, key, fetched, call.examples, options, note);
  return {
    modelSpec: result.modelSpec,
    results: read(result.signature, call.examples.length, fetched, result.outputs),
  };
}

/**
 * TF Serving's Classify on one held version: checks the signature (`classify`, or `predict`
 * with the classify aliases), feeds it the examples and reads `classes`/`scores` into
 * per-example classes. Scores without classes give empty labels; classes without scores give
 * score 0.
 * @throws ModelServingError as TF Serving: INVALID_ARGUMENT for an unknown signature, a
 *   signature that cannot classify, no examples, or outputs of the wrong shape or dtype.
 */
export function runClassify(
  servable: HeldServable,
  call: Omit<ExampleCall, 'model'>,
  options: RunOptions = {},
  note: RunNote = {},
): Promise<ClassifyResult> {
  return inferOnExamples(servable, call, classifyOutputs, classificationsOf, options, note);
}

/**
 * TF Serving's Regress on one held version: checks the signature (`regress`, or `predict` with
 * the regress aliases), feeds it the examples and reads one float per example from `outputs`.
 * @throws ModelServingError as {@link runClassify}.
 */
export function runRegress(
  servable: HeldServable,
  call: Omit<ExampleCall, 'model'>,
  options: RunOptions = {},
  note: RunNote = {},
): Promise<RegressResult> {
  return inferOnExamples(
    servable,
    call,
    regressOutputs,
    (signature, count, _fetched, outputs) => regressionsOf(signature, count, outputs),
    options,
    note,
  );
}
