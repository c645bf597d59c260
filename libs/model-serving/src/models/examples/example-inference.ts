import { InvalidInputError } from '../../errors/invalid-input.error.js';
import {
  type InferenceService,
  type PredictResult,
  type ResolvedModelSpec,
} from '../inference.service.js';
import { type VersionSelector } from '../served-model.js';
import { DEFAULT_SIGNATURE, servedSignature, type SignatureDef } from '../signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
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
 * Runs one signature on serialized examples, on the version `version` (already resolved, so
 * that the signature checked is the signature run). TF Serving checks for an empty input only
 * once the servable and signature are known.
 * @throws InvalidInputError `Input is empty.` when there are no examples.
 */
export async function runOnExamples(
  inference: InferenceService,
  call: { model: string; version: number; signature: string; outputs: readonly string[] },
  examples: readonly Uint8Array[],
): Promise<PredictResult> {
  if (examples.length === 0) throw new InvalidInputError('Input is empty.');
  return inference.predict({
    model: call.model,
    version: call.version,
    signature: call.signature,
    inputs: { [EXAMPLES_INPUT]: examplesTensor(examples) },
    outputs: call.outputs,
  });
}

/** The version a call resolves to and the signature it names, with TF Serving's not-found text. */
function resolveSignature(
  inference: InferenceService,
  call: ExampleCall,
): { version: number; key: string; signature: SignatureDef } {
  const metadata = inference.metadata(call.model, call);
  const key = call.signature || DEFAULT_SIGNATURE;
  const signature = servedSignature(metadata.signatures, key);
  if (!signature) throw new InvalidInputError(`No signature was found with the name: ${key}`);
  return { version: metadata.version, key, signature };
}

/** Checks the signature, feeds it the examples, reads the answer: the shared half of both. */
async function inferOnExamples<R>(
  inference: InferenceService,
  call: ExampleCall,
  outputsOf: (signature: SignatureDef) => string[],
  read: (
    signature: SignatureDef,
    count: number,
    fetched: string[],
    outputs: Record<string, TensorData>,
  ) => R,
): Promise<{ modelSpec: ResolvedModelSpec; results: R }> {
  const { version, key, signature } = resolveSignature(inference, call);
  const fetched = outputsOf(signature);
  const result = await runOnExamples(
    inference,
    { model: call.model, version, signature: key, outputs: fetched },
    call.examples,
  );
  return {
    modelSpec: result.modelSpec,
    results: read(result.signature, call.examples.length, fetched, result.outputs),
  };
}

/**
 * TF Serving's Classify: checks the signature (`classify`, or `predict` with the classify
 * aliases), feeds it the examples and reads `classes`/`scores` into per-example classes.
 * Scores without classes give empty labels; classes without scores give score 0.
 * @throws ModelServingError as TF Serving: NOT_FOUND for an unknown model or version;
 *   INVALID_ARGUMENT for an unknown signature, a signature that cannot classify, no examples,
 *   or outputs of the wrong shape or dtype.
 */
export function classifyExamples(
  inference: InferenceService,
  call: ExampleCall,
): Promise<ClassifyResult> {
  return inferOnExamples(inference, call, classifyOutputs, classificationsOf);
}

/**
 * TF Serving's Regress: checks the signature (`regress`, or `predict` with the regress
 * aliases), feeds it the examples and reads one float per example from `outputs`.
 * @throws ModelServingError as {@link classifyExamples}.
 */
export function regressExamples(
  inference: InferenceService,
  call: ExampleCall,
): Promise<RegressResult> {
  return inferOnExamples(inference, call, regressOutputs, (signature, count, _fetched, outputs) =>
    regressionsOf(signature, count, outputs),
  );
}
