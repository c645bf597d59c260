import { Logger, type LoggerService } from '@nestjs/common';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { ModelExecutor, type RunOptions } from '../models/model.executor.js';
import { servedSignature, type SignatureMap } from '../models/signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { type BatchClock } from './batch.queue.js';
import { BatchScheduler } from './batch.scheduler.js';
import { type BatchingParameters } from './batching-parameters.js';
import { whyNotBatched } from './signature-batching.js';

/** How a {@link BatchingExecutor} is built. @publicApi */
export interface BatchingExecutorOptions {
  /** The model's name, for errors and logs. */
  readonly model: string;
  /** The version the wrapped executor runs. */
  readonly version: number;
  /** From {@link resolveBatchingParameters}, a parameters file or auto-tuning. */
  readonly parameters: BatchingParameters;
  /** @defaultValue the global clock and timers */
  readonly clock?: BatchClock;
  /** @defaultValue `new Logger('ModelServing')` */
  readonly logger?: LoggerService;
}

/** How one signature is served, for logs and status. @publicApi */
export interface BatchingSignatureStatus {
  readonly signature: string;
  /** Whether its requests are batched. */
  readonly batched: boolean;
  /** Why not, when they are not. */
  readonly reason?: string;
  /** Batches waiting for a thread (open ones included). */
  readonly queuedBatches: number;
  /** Examples in them. */
  readonly queuedExamples: number;
}

/** What {@link BatchingExecutor.describe} reports. @publicApi */
export interface BatchingStatus {
  readonly model: string;
  readonly version: number;
  /** The parameters in force, for every batched signature. */
  readonly parameters: BatchingParameters;
  /** Batches running now, over all signatures. */
  readonly runningBatches: number;
  readonly signatures: readonly BatchingSignatureStatus[];
}

/**
 * Dynamic batching in front of another executor, as TF Serving's `--enable_batching`: requests
 * to a signature that can batch (every input of known rank ≥ 1 with an unknown dimension 0)
 * are queued and run together by a {@link BatchScheduler}; other signatures, and requests whose
 * inputs disagree on dimension 0, run directly on the wrapped executor (which answers their
 * validation). Same signatures and backend as the wrapped executor.
 * @example
 * const executor = new BatchingExecutor(await loader.load(dir), {
 *   model: 'half_plus_two', version: 1, parameters: resolveBatchingParameters({ maxBatchSize: 32 }),
 * });
 * @publicApi
 */
export class BatchingExecutor extends ModelExecutor {
  readonly signatures: SignatureMap;
  readonly backend: string;
  declare readonly engineNote?: string;
  private readonly scheduler: BatchScheduler;
  private readonly reasons = new Map<string, string>();
  private readonly direct = new Set<Promise<unknown>>();
  private disposed?: Promise<void>;

  constructor(
    private readonly inner: ModelExecutor,
    private readonly options: BatchingExecutorOptions,
  ) {
    super();
    this.signatures = inner.signatures;
    this.backend = inner.backend;
    this.engineNote = inner.engineNote;
    const logger = options.logger ?? new Logger('ModelServing');
    this.scheduler = new BatchScheduler({
      parameters: options.parameters,
      run: (signature, inputs, outputs, runOptions) =>
        inner.run(signature, inputs, outputs, runOptions),
      where: (signature) => this.where(signature),
      logger,
      ...(options.clock && { clock: options.clock }),
    });
    for (const [key, signature] of Object.entries(this.signatures)) {
      const reason = whyNotBatched(signature);
      if (reason === undefined) continue;
      this.reasons.set(key, reason);
      logger.log(`${this.where(key)} is not batched: ${reason}; its requests run one by one`);
    }
  }

  /**
   * Runs a request through its signature's batching queue, or directly when it cannot batch.
   * @throws QueueFullError at once when the signature's queue is full
   * @throws DeadlineExceededError when `options.deadline` passed before its batch started
   * @throws ShuttingDownError once {@link dispose} was called
   */
  async run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
    options?: RunOptions,
  ): Promise<Record<string, TensorData>> {
    if (this.disposed) throw new ShuttingDownError(`${this.where(signature)} is shutting down`);
    const size = this.batchSize(signature, inputs);
    if (size === undefined) {
      const running = this.inner.run(signature, inputs, outputs, options);
      const tracked = running.catch(() => undefined);
      this.direct.add(tracked);
      void tracked.finally(() => this.direct.delete(tracked));
      return await running;
    }
    return this.scheduler.schedule(signature, inputs, size, outputs, options);
  }

  /** The parameters in force and each signature's queue, for logs and status. */
  describe(): BatchingStatus {
    const queues = new Map(this.scheduler.stats().map((s) => [s.signature, s]));
    return {
      model: this.options.model,
      version: this.options.version,
      parameters: this.options.parameters,
      runningBatches: this.scheduler.runningBatches,
      signatures: Object.keys(this.signatures).map((signature) => {
        const queue = queues.get(signature);
        const reason =
          this.reasons.get(signature) ??
          (queue?.unbatchable ? 'its outputs are not batched along dimension 0' : undefined);
        return {
          signature,
          batched: reason === undefined,
          ...(reason !== undefined && { reason }),
          queuedBatches: queue?.queuedBatches ?? 0,
          queuedExamples: queue?.queuedExamples ?? 0,
        };
      }),
    };
  }

  /**
   * Refuses new requests, runs every queued batch at once (without waiting for timeouts), waits
   * for the running ones and for direct runs, then disposes the wrapped executor. Idempotent.
   */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await this.scheduler.drain();
      await Promise.all(this.direct);
      await this.inner.dispose();
    })();
    return this.disposed;
  }

  private where(signature: string): string {
    return `model '${this.options.model}' version ${this.options.version} signature '${signature}'`;
  }

  /** The request's examples when it goes through the queue, else `undefined`. */
  private batchSize(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
  ): number | undefined {
    const def = servedSignature(this.signatures, signature);
    if (!def || this.reasons.has(signature) || !this.scheduler.batches(signature)) return undefined;
    const sizes = new Set(Object.values(inputs).map((t) => (t.shape.length > 0 ? t.shape[0] : -1)));
    const [size] = sizes;
    // Inputs that disagree on dimension 0 cannot be split into examples: the executor says why.
    return sizes.size === 1 && size !== undefined && size > 0 ? size : undefined;
  }
}
