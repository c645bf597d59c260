import { Logger, type LoggerService } from '@nestjs/common';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { type RunOptions } from '../models/model.executor.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { batchKey, concatBatch, mapTensors, sliceRows } from './batch-tensors.js';
import { type Batch, type BatchClock, BatchQueue, SYSTEM_CLOCK } from './batch.queue.js';
import {
  type BatchTask,
  BatchRunner,
  cancelledError,
  expiredError,
  type RunBatch,
} from './batch.runner.js';
import { type BatchingParameters } from './batching-parameters.js';

type Tensors = Record<string, TensorData>;

/** How a {@link BatchScheduler} is built. */
export interface BatchSchedulerOptions {
  readonly parameters: BatchingParameters;
  /** Runs a batch (the wrapped executor). */
  readonly run: RunBatch;
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

/**
 * Dynamic batching of one version, as TF Serving's batching session: a {@link BatchQueue} per
 * signature, and at most `numBatchThreads` batches running at once over all of them.
 *
 * - Requests are tasks of `size` examples (dimension 0). Tasks share a batch only when their
 *   inputs have the same aliases, dtypes and inner dimensions (with `padVariableLengthInputs`,
 *   the same ranks: inner dimensions are then zero-padded to the largest of the batch) and ask
 *   for the same outputs. As in TF Serving, outputs are not un-padded in their inner dimensions:
 *   a request may get longer rows than it sent, the model's padding included.
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
  private readonly queues = new Map<string, BatchQueue<BatchTask>>();
  private readonly runner: BatchRunner;
  private readonly clock: BatchClock;
  private running = 0;
  /** When each queue was last served (a serial number). */
  private readonly served = new WeakMap<BatchQueue<BatchTask>, number>();
  private serial = 0;
  private draining?: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: BatchSchedulerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    const logger = options.logger ?? new Logger('ModelServing');
    const { parameters, run, where } = options;
    this.runner = new BatchRunner(parameters, run, where, this.clock, logger);
  }

  /** Whether requests of `signature` still go through the queue (see the class notes). */
  batches(signature: string): boolean {
    return this.runner.batches(signature);
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
      unbatchable: !this.runner.batches(signature),
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
    if (options.signal?.aborted) throw cancelledError(options.signal, where);
    const now = this.clock.now();
    if (options.deadline !== undefined && options.deadline <= now) {
      throw expiredError(where);
    }
    const { maxBatchSize, padVariableLengthInputs } = this.options.parameters;
    const key = batchKey(inputs, outputs, padVariableLengthInputs);
    const pieces: BatchTask[] = [];
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
    // Pieces may have joined batches padded to different inner sizes: join them padded alike.
    const parts = await Promise.all(results);
    return mapTensors(parts[0] ?? {}, (_, alias) => {
      const each = parts.map((p) => ({ [alias]: p[alias] as TensorData }));
      return concatBatch(each, 0, padVariableLengthInputs)[alias] as TensorData;
    });
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

  private queue(signature: string): BatchQueue<BatchTask> {
    let queue = this.queues.get(signature);
    if (!queue) {
      const where = this.options.where(signature);
      queue = new BatchQueue<BatchTask>(this.options.parameters, where, this.clock, () =>
        this.dispatch(),
      );
      this.queues.set(signature, queue);
    }
    return queue;
  }

  private listen(queue: BatchQueue<BatchTask>, task: BatchTask, where: string): void {
    const { signal } = task.options;
    if (!signal) return;
    const onAbort = (): void => {
      if (queue.remove(task)) task.reject(cancelledError(signal, where));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    task.stopListening = () => signal.removeEventListener('abort', onAbort);
  }

  private dispatch(): void {
    while (this.running < this.options.parameters.numBatchThreads) {
      // The least recently served queue goes first, so that no signature starves the others.
      let next: { signature: string; queue: BatchQueue<BatchTask>; served: number } | undefined;
      for (const [signature, queue] of this.queues) {
        const served = this.served.get(queue) ?? 0;
        if (queue.runnable && (!next || served < next.served)) next = { signature, queue, served };
      }
      if (!next) break;
      this.running++;
      this.served.set(next.queue, ++this.serial);
      const batch = next.queue.take() as Batch<BatchTask>;
      void this.runner.run(next.signature, batch.tasks).finally(() => {
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
}
