import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type RunOptions } from '../model.executor.js';
import { type ResolvedModelSpec } from '../predict-util.js';
import { type HeldServable, type RunNote } from '../servable.js';
import { type VersionSelector } from '../served-model.js';
import { DEFAULT_SIGNATURE, servedSignature } from '../signature.js';
import { runOnExamples } from './example-inference.js';
import { classificationsOf, type ExampleClass, regressionsOf } from './example-results.js';
import {
  CLASSIFY_METHOD,
  classifyOutputs,
  type ExampleTask,
  REGRESS_METHOD,
  regressOutputs,
} from './example-signature.js';

/** One task of a MultiInference call. Only the first task's version or label counts. */
export interface InferenceTaskCall extends VersionSelector {
  readonly model: string;
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  /** `tensorflow/serving/classify` or `tensorflow/serving/regress`. */
  readonly method: string;
}

/** A MultiInference call: its tasks and the examples they share. */
export interface MultiInferenceCall {
  readonly tasks: readonly InferenceTaskCall[];
  /** Serialized `tensorflow.Example`s, shared by every task. */
  readonly examples: readonly Uint8Array[];
}

/** The result of one task, in the order of the tasks. */
export type InferenceTaskResult =
  | {
      readonly task: 'classify';
      readonly modelSpec: ResolvedModelSpec;
      readonly classes: ExampleClass[][];
    }
  | { readonly task: 'regress'; readonly modelSpec: ResolvedModelSpec; readonly values: number[] };

interface TaskPlan {
  readonly task: ExampleTask;
  readonly signature: string;
  readonly fetched: string[];
}

/**
 * The first task of a MultiInference call, whose model and version or label select the
 * version every task runs on; checked before the model is looked up, as TF Serving does.
 * @throws InvalidInputError `ModelSpec has no name specified.`
 */
export function firstInferenceTask(call: MultiInferenceCall): InferenceTaskCall {
  const first = call.tasks[0];
  if (!first?.model) throw new InvalidInputError('ModelSpec has no name specified.');
  return first;
}

/**
 * TF Serving's MultiInference on one held version (the one the first task selects): several
 * classify/regress tasks over the same examples, each task on its own signature. Every task is
 * checked before anything runs, in TF Serving's order and with its messages.
 * @throws InvalidInputError `ModelSpec has no name specified.` (no task, or the first has no
 *   model), `Found ModelSpec with an empty model name.`, `All ModelSpecs in a
 *   MultiInferenceRequest must access the same model name.`, `Duplicate evaluation of
 *   signature: <s>`, `Requested signature not found in model graph: <s>`, the classify/regress
 *   signature errors, `Input is empty.`; UnimplementedError `Unsupported signature method_name:
 *   <m>`.
 */
export async function runMultiInference(
  servable: HeldServable,
  call: MultiInferenceCall,
  options: RunOptions = {},
  note: RunNote = {},
): Promise<InferenceTaskResult[]> {
  const first = firstInferenceTask(call);
  const seen = new Set<string>();
  const plans = call.tasks.map((task): TaskPlan => {
    if (!task.model) throw new InvalidInputError('Found ModelSpec with an empty model name.');
    if (task.model !== first.model) {
      throw new InvalidInputError(
        'All ModelSpecs in a MultiInferenceRequest must access the same model name.',
      );
    }
    const key = task.signature || DEFAULT_SIGNATURE;
    if (seen.has(key)) throw new InvalidInputError(`Duplicate evaluation of signature: ${key}`);
    seen.add(key);
    const signature = servedSignature(servable.executor.signatures, key);
    if (!signature) {
      throw new InvalidInputError(`Requested signature not found in model graph: ${key}`);
    }
    if (task.method === CLASSIFY_METHOD) {
      return { task: 'classify', signature: key, fetched: classifyOutputs(signature) };
    }
    if (task.method === REGRESS_METHOD) {
      return { task: 'regress', signature: key, fetched: regressOutputs(signature) };
    }
    throw new UnimplementedError(`Unsupported signature method_name: ${task.method}`);
  });
  note.signature = plans.map((plan) => plan.signature).join(',');

  const results: InferenceTaskResult[] = [];
  const count = call.examples.length;
  for (const plan of plans) {
    const run = await runOnExamples(
      servable,
      plan.signature,
      plan.fetched,
      call.examples,
      options,
      {},
    );
    results.push(
      plan.task === 'classify'
        ? {
            task: 'classify',
            modelSpec: run.modelSpec,
            classes: classificationsOf(run.signature, count, plan.fetched, run.outputs),
          }
        : {
            task: 'regress',
            modelSpec: run.modelSpec,
            values: regressionsOf(run.signature, count, run.outputs),
          },
    );
  }
  return results;
}
