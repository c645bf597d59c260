import { Logger, type LoggerService } from '@nestjs/common';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { type RunOptions } from '../models/model.executor.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { BatchCancelledError } from './batch-cancelled.error.js';
import { batchKey, concatBatch, concatRows, mapTensors, sliceRows } from './batch-tensors.js';
import {
  type Batch,
  type BatchClock,
  BatchQueue,
  type QueuedTask,
  SYSTEM_CLOCK,
} from './batch.queue.js';
import { type BatchingParameters } from './batching-parameters.js';

type Tensors = Record<string, TensorData>;

/** Runs one signature on a whole batch: what the batching queue calls. */
export type BatchRunner = (
  signature: string,
  inputs: Readonly<Tensors>,
  outputs: readonly string[] | undefined,
  options: RunOptions,
) => Promise<Tensors>;

/** How a {@link BatchScheduler} is built. */
export interface BatchSchedulerOptions {
  readonly parameters: BatchingParameters;
  /** Runs a batch (the wrapped executor). */
  readonly run: BatchRunner;
  /** Names a signature's queue in errors and logs, e.g. `model 'x' version 1 signature 'serving_default'`. */
  readonly where: (signature: string) => string;
  /** @defaultValue {@link SYSTEM_CLOCK} */
  readonly clock?: BatchClock;
  /** @defaultValue `new Logger('ModelServing')` */
  readonly logger?: LoggerService;
}

/** What one signature's queue holds, for logs and status. */
export interface BatchQueueStats {
  readonly signature: string;
  /** Batches waiting for a thread (open ones included). */
  readonly queuedBatches: number;
  /** Examples in them. */
  readonly queuedExamples: number;
  /** Whether its outputs turned out not to batch, so each request runs alone. */
  readonly unbatchable: boolean;
}

interface Task extends QueuedTask {
  readonly inputs: Readonly<Tensors>;
  readonly outputs?: readonly string[];
  readonly options: RunOptions;
  readonly enqueuedAt: number;
  readonly resolve: (outputs: Tensors) => void;
  readonly reject: (error: unknown) => void;
  stopListening?: () => void;
}

/** The error a cancelled request ends with: the signal's reason when it is one of ours. */
function cancelled(signal: AbortSignal, where: string): ModelServingError {
  const reason: unknown = signal.reason;
  return reason instanceof ModelServingError
    ? reason
    : new BatchCancelledError(`request to ${where} was cancelled while queued for batching`);
}

/**
 * Dynamic batching of one version, as TF Serving's batching session: a {@link BatchQueue} per
 * signature, and at most `numBatchThreads` batches running at once over all of them.
 *
 * - Requests are tasks of `size` examples (dimension 0). Tasks share a batch only when their
 *   inputs have the same aliases, dtypes and inner dimensions (with `padVariableLengthInputs`,
 *   the same ranks: inner dimensions are then zero-padded to the largest of the batch) and ask
 *   for the same outputs.
 * - A request larger than `maxBatchSize` is split into pieces of at most `maxBatchSize`
 *   examples that queue as ordinary tasks (all or none of them: a full queue refuses the
 *   whole request); their outputs are concatenated back in order.
 * - With `allowedBatchSizes`, a batch is padded up to the next allowed size by repeating its
 *   first example, and the padding is sliced off the outputs.
 * - A task whose deadline has passed is refused at enqueue and dropped when its batch starts
 *   (DEADLINE_EXCEEDED); one whose signal aborts while queued leaves its batch at once.
 *   Once a batch runs, it runs to its end.
 * - A signature whose outputs do not have the batch's size in dimension 0 does not batch its
 *   outputs: that batch's tasks run again one by one, as every later request of the signature,
 *   and a warning says so once.
 */
export class BatchScheduler {
  private readonly queues = new Map<string, BatchQueue<Task>>();
  private readonly unbatchable = new Set<string>();
  private readonly clock: BatchClock;
  private readonly logger: LoggerService;
  private running = 0;
  /** Round-robin start over the queues, so that no signature starves the others. */
  private turn = 0;
  private draining?: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: BatchSchedulerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.logger = options.logger ?? new Logger('ModelServing');
  }

  /** Whether requests of `signature` still go through the queue (see the class notes). */
  batches(signature: string): boolean {
    return !this.unbatchable.has(signature);
  }

  /** Batches running now. */
  get runningBatches(): number {
    return this.running;
  }

  /** Each signature queue's content. */
  stats(): BatchQueueStats[] {
    return [...this.queues].map(([signature, queue]) => ({
      signature,
      queuedBatches: queue.batches,
      queuedExamples: queue.examples,
      unbatchable: this.unbatchable.has(signature),
    }));
  }

  /**
   * Queues one request of `size` examples (every input's dimension 0) and resolves with its
   * outputs once its batch ran; `options.trace` gets the queue wait, padded batch size and run time.
   * @throws QueueFullError at once when the signature's queue is full
   * @throws DeadlineExceededError when the deadline passed before its batch started
   * @throws ShuttingDownError once {@link drain} was called
   */
  async schedule(
    signature: string,
    inputs: Readonly<Tensors>,
    size: number,
    outputs?: readonly string[],
    options: RunOptions = {},
  ): Promise<Tensors> {
    const where = this.options.where(signature);
    if (this.draining) {
      throw new ShuttingDownError(`${where} is shutting down`);
    }
    if (options.signal?.aborted) throw cancelled(options.signal, where);
    const now = this.clock.now();
    if (options.deadline !== undefined && options.deadline <= now) {
      throw this.expired(where);
    }
    const { maxBatchSize, padVariableLengthInputs } = this.options.parameters;
    const key = batchKey(inputs, outputs, padVariableLengthInputs);
    const pieces: Task[] = [];
    const results: Promise<Tensors>[] = [];
    for (let start = 0; start < size; start += maxBatchSize) {
      const end = Math.min(size, start + maxBatchSize);
      const part =
        size <= maxBatchSize ? inputs : mapTensors(inputs, (t) => sliceRows(t, start, end));
      results.push(
        new Promise<Tensors>((resolve, reject) => {
          const base = { inputs: part, size: end - start, key, options, enqueuedAt: now };
          pieces.push({ ...base, resolve, reject, ...(outputs && { outputs }) });
        }),
      );
    }
    const queue = this.queue(signature);
    queue.enqueue(pieces);
    for (const task of pieces) this.listen(queue, task, where);
    this.dispatch();
    if (results.length === 1) return results[0] as Promise<Tensors>;
    return Promise.all(results).then((parts) =>
      mapTensors(parts[0] ?? {}, (_, alias) =>
        concatRows(parts.map((p) => p[alias] as TensorData)),
      ),
    );
  }

  /**
   * Refuses new requests, runs every queued batch without waiting for timeouts, and resolves
   * once the last batch finished. Idempotent.
   */
  drain(): Promise<void> {
    if (!this.draining) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.draining = { promise, resolve };
      for (const queue of this.queues.values()) queue.flush();
      this.dispatch();
    }
    return this.draining.promise;
  }

  private queue(signature: string): BatchQueue<Task> {
    let queue = this.queues.get(signature);
    if (!queue) {
      const where = this.options.where(signature);
      queue = new BatchQueue<Task>(this.options.parameters, where, this.clock, () =>
        this.dispatch(),
      );
      this.queues.set(signature, queue);
    }
    return queue;
  }

  private listen(queue: BatchQueue<Task>, task: Task, where: string): void {
    const { signal } = task.options;
    if (!signal) return;
    const onAbort = (): void => {
      if (queue.remove(task)) task.reject(cancelled(signal, where));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    task.stopListening = () => signal.removeEventListener('abort', onAbort);
  }

  private expired(where: string): DeadlineExceededError {
    return new DeadlineExceededError(
      `deadline exceeded before the batch of ${where} started: the request waited too long in the batching queue`,
    );
  }

  private dispatch(): void {
    const signatures = [...this.queues.keys()];
    while (this.running < this.options.parameters.numBatchThreads) {
      let next: [string, Batch<Task>] | undefined;
      for (let i = 0; i < signatures.length && !next; i++) {
        const signature = signatures[(this.turn + i) % signatures.length] as string;
        const batch = this.queues.get(signature)?.take();
        if (batch) {
          next = [signature, batch];
          this.turn = (this.turn + i + 1) % signatures.length;
        }
      }
      if (!next) break;
      this.running++;
      void this.execute(...next).finally(() => {
        this.running--;
        this.dispatch();
      });
    }
    this.checkDrained();
  }

  private checkDrained(): void {
    if (!this.draining || this.running > 0) return;
    if ([...this.queues.values()].every((q) => q.batches === 0)) this.draining.resolve();
  }

  private async execute(signature: string, batch: Batch<Task>): Promise<void> {
    const where = this.options.where(signature);
    const start = this.clock.now();
    const live = batch.tasks.filter((task) => {
      task.stopListening?.();
      if (task.options.signal?.aborted) task.reject(cancelled(task.options.signal, where));
      else if (task.options.deadline !== undefined && task.options.deadline <= start) {
        task.reject(this.expired(where));
      } else return true;
      return false;
    });
    const [first] = live;
    if (!first) return;
    if (this.unbatchable.has(signature)) return this.runAlone(signature, live, start);
    const size = live.reduce((n, t) => n + t.size, 0);
    const padded = this.options.parameters.allowedBatchSizes.find((s) => s >= size) ?? size;
    try {
      const pad = this.options.parameters.padVariableLengthInputs;
      const inputs = concatBatch(
        live.map((t) => t.inputs),
        padded,
        pad,
      );
      const trace: NonNullable<RunOptions['trace']> = {};
      const outputs = await this.options.run(signature, inputs, first.outputs, { trace });
      const runMs = trace.runMs ?? this.clock.now() - start;
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
  private async runAlone(signature: string, tasks: readonly Task[], start: number): Promise<void> {
    for (const task of tasks) {
      const begun = this.clock.now();
      const trace = task.options.trace;
      if (trace)
        Object.assign(trace, { queueWaitMs: start - task.enqueuedAt, batchSize: task.size });
      try {
        const inner: RunOptions = trace ? { trace } : {};
        task.resolve(await this.options.run(signature, task.inputs, task.outputs, inner));
        if (trace) trace.runMs ??= this.clock.now() - begun;
      } catch (error) {
        task.reject(error);
      }
    }
  }
}
