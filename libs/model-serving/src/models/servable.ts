import { type TensorData } from '../tensor/tensor-data.js';
import { type ModelExecutor } from './model.executor.js';

/**
 * One version of a model held for the length of a call: what the servable-level functions
 * (predict, classify, regress, multi-inference) run on, as TF Serving's `predict_util` and
 * `classifier` run on one held `ServableHandle`. Warm-up runs them on a version not yet
 * AVAILABLE the same way.
 */
export interface HeldServable {
  readonly model: string;
  readonly version: number;
  readonly executor: ModelExecutor;
}

/** What a servable-level function tells the run path about the call, for its observers. */
export interface RunNote {
  /** The signature key, once resolved. */
  signature?: string;
  /** The inputs as decoded and checked (REST decodes them only once the signature is known). */
  inputs?: Readonly<Record<string, TensorData>>;
}
