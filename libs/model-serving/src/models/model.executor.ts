import { type SignatureMap } from './signature.js';
import { type TensorData } from '../tensor/tensor-data.js';

/**
 * What the layers that run one call (batching queue, worker pool, engine) fill in, so the run
 * path can report it: how long the call waited in a queue, how many examples the batch that
 * ran it held, and how long the engine computed. Each layer sets only what it knows.
 * @publicApi
 */
export interface RunTrace {
  /** Milliseconds between entering a batching queue and its batch starting. */
  queueWaitMs?: number;
  /** Examples in the batch that ran the call (after padding), when batched. */
  batchSize?: number;
  /** Milliseconds the engine spent on the batch or call. */
  runMs?: number;
}

/**
 * How one call may run: by when it must have started, a signal that cancels it, and the trace
 * the layers below fill in. A call whose deadline passes before its work starts is dropped
 * with DEADLINE_EXCEEDED; once started, an engine call runs to its end.
 * @publicApi
 */
export interface RunOptions {
  /** Absolute deadline, in milliseconds since the epoch (as `Date.now()`). */
  readonly deadline?: number;
  /** Aborted when the caller gave up (client gone, server shutting down). */
  readonly signal?: AbortSignal;
  /** Filled by the layers that run the call. */
  readonly trace?: RunTrace;
}

/**
 * Runs the signatures of one loaded version behind an async interface: plain `TensorData` in,
 * plain `TensorData` out. The executor owns every engine resource of the version and releases
 * them all in `dispose()`. Extension point: a custom loader may return its own executor; the
 * batching queue and the worker pool are executors that wrap another.
 * @publicApi
 */
export abstract class ModelExecutor {
  /** The signatures this version serves, by key. */
  abstract readonly signatures: SignatureMap;

  /** Name of the engine that runs it (e.g. `wasm`), for logs and status. */
  abstract readonly backend: string;

  /**
   * How the engine was chosen, when there was a choice: e.g. the ops that kept a SavedModel
   * off ONNX Runtime. Shown in the version's status (`engine`).
   */
  readonly engineNote?: string;

  /**
   * Runs one signature. `inputs` are keyed by the signature's input aliases and have been
   * checked against it; the result is keyed by output alias (only `outputs` when given).
   */
  abstract run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
    options?: RunOptions,
  ): Promise<Record<string, TensorData>>;

  /** Releases every engine resource; called once, after the last request has finished. */
  abstract dispose(): void | Promise<void>;
}
