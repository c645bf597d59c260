import { type LoggerService } from '@nestjs/common';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { type RunOptions } from '../models/model.executor.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { BatchCancelledError } from '../errors/batch-cancelled.error.js';
import { concatBatch, mapTensors, sliceRows } from './batch-tensors.js';
import { type BatchClock, type QueuedTask } from './batch.queue.js';
import { type BatchingParameters } from './batching-parameters.js';

type Tensors = Record<string, TensorData>;

/** Runs one signature on a whole batch (the wrapped executor's `run`). */
export type RunBatch = (
  signature: string,
  inputs: Readonly<Tensors>,
  outputs: readonly string[] | undefined,
  options: RunOptions,
) => Promise<Tensors>;

/** One request (or piece of one) waiting in a batching queue. */
export interface BatchTask extends QueuedTask {
  readonly inputs: Readonly<Tensors>;
  readonly outputs?: readonly string[];
  readonly options: RunOptions;
  /** When it entered the queue (ms since the epoch). */
  readonly enqueuedAt: number;
  readonly resolve: (outputs: Tensors) => void;
  readonly reject: (error: unknown) => void;
  /** Stops watching its abort signal (set while it waits). */
  stopListening?: () => void;
}

/** The error a cancelled request ends with: the signal's reason when it is one of ours. */
export function cancelledError(signal: AbortSignal, where: string): ModelServingError {
  const reason: unknown = signal.reason;
  return reason instanceof ModelServingError
    ? reason
    : new BatchCancelledError(`request to ${where} was cancelled while queued for batching`);
}

/** The error of a request whose deadline passed while it was queued. */
export function expiredError(where: string): DeadlineExceededError {
  return new DeadlineExceededError(
    `deadline exceeded before the batch of ${where} started: the request waited too long in the batching queue`,
  );
}

/**
 * Runs the batches a {@link BatchScheduler} takes off its queues: drops the tasks whose deadline
 * passed or whose signal aborted, concatenates (and pads) the rest, runs them as one call and
 * hands each task its rows of the outputs, with its trace filled. A signature whose outputs
 * turn out not to batch (see {@link BatchScheduler}) is remembered, and its tasks run one by one.
 */
export class BatchRunner {
  private readonly unbatchable = new Set<string>();

  constructor(
    private readonly parameters: BatchingParameters,
    private readonly runBatch: RunBatch,
    private readonly where: (signature: string) => string,
    private readonly clock: BatchClock,
    private readonly logger: LoggerService,
  ) {}

  /** Whether requests of `signature` still batch. */
  batches(signature: string): boolean {
    return !this.unbatchable.has(signature);
  }

  /** Runs one batch; settles every task and never rejects. */
  async run(signature: string, tasks: readonly BatchTask[]): Promise<void> {
    const where = this.where(signature);
    const start = this.clock.now();
    const live = tasks.filter((task) => {
      task.stopListening?.();
      if (task.options.signal?.aborted) task.reject(cancelledError(task.options.signal, where));
      else if (task.options.deadline !== undefined && task.options.deadline <= start) {
        task.reject(expiredError(where));
      } else return true;
      return false;
    });
    const [first] = live;
    if (!first) return;
    if (this.unbatchable.has(signature)) return this.runAlone(signature, live, start);
    const size = live.reduce((n, t) => n + t.size, 0);
    const padded = this.parameters.allowedBatchSizes.find((s) => s >= size) ?? size;
    try {
      const pad = this.parameters.padVariableLengthInputs;
      const inputs = concatBatch(
        live.map((t) => t.inputs),
        padded,
        pad,
      );
      const trace: NonNullable<RunOptions['trace']> = {};
      const begun = this.clock.now();
      const outputs = await this.runBatch(signature, inputs, first.outputs, { trace });
      const runMs = trace.runMs ?? this.clock.now() - begun;
      const odd = Object.entries(outputs).find(([, t]) => t.shape[0] !== padded);
      if (odd && (live.length > 1 || padded !== size)) {
        this.unbatchable.add(signature);
        this.logger.warn(
          `${where}: output '${odd[0]}' has ${odd[1].shape[0] ?? 'no'} rows for a batch of ${padded} examples, so it is not batched along dimension 0; requests of this signature now run one by one`,
        );
        return this.runAlone(signature, live, start);
      }
      let offset = 0;
      for (const task of live) {
        const end = offset + task.size;
        const at = offset;
        Object.assign(task.options.trace ?? {}, {
          queueWaitMs: start - task.enqueuedAt,
          batchSize: padded,
          runMs,
        });
        task.resolve(odd ? outputs : mapTensors(outputs, (t) => sliceRows(t, at, end)));
        offset = end;
      }
    } catch (error) {
      for (const task of live) task.reject(error);
    }
  }

  /** Runs tasks one by one, unbatched (a signature whose outputs do not batch). */
  private async runAlone(
    signature: string,
    tasks: readonly BatchTask[],
    start: number,
  ): Promise<void> {
    for (const task of tasks) {
      const begun = this.clock.now();
      const trace = task.options.trace;
      if (trace)
        Object.assign(trace, { queueWaitMs: start - task.enqueuedAt, batchSize: task.size });
      try {
        const inner: RunOptions = trace ? { trace } : {};
        task.resolve(await this.runBatch(signature, task.inputs, task.outputs, inner));
        if (trace) trace.runMs ??= this.clock.now() - begun;
      } catch (error) {
        task.reject(error);
      }
    }
  }
}
