import { jest } from '@jest/globals';
import { type LoggerService } from '@nestjs/common';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { QueueFullError } from '../errors/queue-full.error.js';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type RunTrace } from '../models/model.executor.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { BatchCancelledError } from '../errors/batch-cancelled.error.js';
import { type RunBatch } from './batch.runner.js';
import { BatchScheduler } from './batch.scheduler.js';
import { resolveBatchingParameters } from './batching-parameters.js';
import { type BatchingOptions } from '../config/model-serving-options.interface.js';

const SIG = 'serving_default';
const x = (rows: number[][]): Record<string, TensorData> => ({
  x: {
    dtype: 'float32',
    shape: [rows.length, rows[0]?.length ?? 0],
    data: Float32Array.from(rows.flat()),
  },
});
const values = (t: TensorData | undefined): number[] => [...((t?.data ?? []) as Float32Array)];

/** A runner computing y = 2x + 1 that records every batch and takes `runMs` of (fake) time. */
function fakeRunner(runMs = 0, extra?: (batch: TensorData) => Record<string, TensorData>) {
  const batches: TensorData[] = [];
  let running = 0;
  let peak = 0;
  const run: RunBatch = async (_signature, inputs) => {
    const input = inputs['x'] as TensorData;
    batches.push(input);
    running++;
    peak = Math.max(peak, running);
    if (runMs > 0) await new Promise((r) => setTimeout(r, runMs));
    running--;
    if (values(input).some(Number.isNaN)) throw new InvalidInputError('x holds NaN');
    const y = Float32Array.from(values(input), (v) => 2 * v + 1);
    return { y: { dtype: 'float32', shape: input.shape, data: y }, ...extra?.(input) };
  };
  return { run, batches, peak: () => peak };
}

const quiet = (): LoggerService & { warnings: string[] } => {
  const warnings: string[] = [];
  return {
    warnings,
    log: () => undefined,
    error: () => undefined,
    warn: (m: string) => warnings.push(m),
  };
};

function scheduler(options: BatchingOptions, runner = fakeRunner(), logger = quiet()) {
  return new BatchScheduler({
    parameters: resolveBatchingParameters({ numBatchThreads: 1, ...options }),
    run: runner.run,
    where: (signature) => `model 'm' version 1 signature '${signature}'`,
    logger,
  });
}

describe('BatchScheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('runs what arrived within the batch timeout as one batch, and splits the outputs', async () => {
    const runner = fakeRunner();
    const s = scheduler({ maxBatchSize: 8, batchTimeoutMicros: 10_000 }, runner);
    const a = s.schedule(SIG, x([[1, 2]]), 1);
    await jest.advanceTimersByTimeAsync(5);
    const b = s.schedule(
      SIG,
      x([
        [3, 4],
        [5, 6],
      ]),
      2,
    );
    await jest.advanceTimersByTimeAsync(4);
    expect(runner.batches).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map((t) => t.shape)).toEqual([[3, 2]]);
    expect(values((await a)['y'])).toEqual([3, 5]);
    expect((await b)['y']).toEqual({
      dtype: 'float32',
      shape: [2, 2],
      data: Float32Array.from([7, 9, 11, 13]),
    });
  });

  it('runs a batch at once when it reaches the max batch size', async () => {
    const runner = fakeRunner();
    const s = scheduler({ maxBatchSize: 4, batchTimeoutMicros: 1_000_000 }, runner);
    const a = s.schedule(SIG, x([[1], [2]]), 2);
    const b = s.schedule(SIG, x([[3], [4]]), 2);
    void s.schedule(SIG, x([[5]]), 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(runner.batches.map((t) => t.shape[0])).toEqual([4]);
    expect(values((await a)['y'])).toEqual([3, 5]);
    expect(values((await b)['y'])).toEqual([7, 9]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runner.batches.map((t) => t.shape[0])).toEqual([4, 1]);
  });

  it('pads a batch to the next allowed size with its first example, and slices the padding off', async () => {
    const runner = fakeRunner();
    const s = scheduler(
      { maxBatchSize: 8, batchTimeoutMicros: 1000, allowedBatchSizes: [2, 4, 8] },
      runner,
    );
    const trace: RunTrace = {};
    const results = [1, 2, 3].map((v) => s.schedule(SIG, x([[v]]), 1, undefined, { trace }));
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map(values)).toEqual([[1, 2, 3, 1]]);
    const outputs = await Promise.all(results);
    expect(outputs.map((o) => o['y']?.shape)).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(outputs.map((o) => values(o['y']))).toEqual([[3], [5], [7]]);
    expect(trace.batchSize).toBe(4);
  });

  it('splits a request larger than the max batch size and joins its outputs in order', async () => {
    const runner = fakeRunner();
    const s = scheduler({ maxBatchSize: 4, batchTimeoutMicros: 1000 }, runner);
    const rows = Array.from({ length: 10 }, (_, i) => [i]);
    const result = s.schedule(SIG, x(rows), 10);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map((t) => t.shape[0])).toEqual([4, 4, 2]);
    const y = (await result)['y'];
    expect(y?.shape).toEqual([10, 1]);
    expect(values(y)).toEqual(rows.map(([v]) => 2 * (v ?? 0) + 1));
  });

  it('refuses at once with QUEUE_FULL when max_enqueued_batches are waiting', async () => {
    const runner = fakeRunner(100);
    const s = scheduler(
      { maxBatchSize: 2, maxEnqueuedBatches: 1, batchTimeoutMicros: 1000 },
      runner,
    );
    const running = s.schedule(SIG, x([[1], [2]]), 2);
    await jest.advanceTimersByTimeAsync(0);
    const waiting = s.schedule(SIG, x([[3], [4]]), 2);
    const error = await s.schedule(SIG, x([[5]]), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect((error as QueueFullError).message).toContain(
      "batching queue of model 'm' version 1 signature 'serving_default' is full",
    );
    await jest.advanceTimersByTimeAsync(200);
    await expect(running).resolves.toBeDefined();
    await expect(waiting).resolves.toBeDefined();
    expect(runner.batches).toHaveLength(2);
  });

  it('refuses a split request whole when its pieces do not all fit', async () => {
    const runner = fakeRunner();
    const s = scheduler(
      { maxBatchSize: 2, maxEnqueuedBatches: 2, batchTimeoutMicros: 1000 },
      runner,
    );
    await expect(s.schedule(SIG, x([[1], [2], [3], [4], [5]]), 5)).rejects.toBeInstanceOf(
      QueueFullError,
    );
    expect(s.stats()).toEqual([
      { signature: SIG, queuedBatches: 0, queuedExamples: 0, unbatchable: false },
    ]);
  });

  it('drops a request whose deadline passed before its batch started; the runner never sees it', async () => {
    const runner = fakeRunner(100);
    const s = scheduler({ maxBatchSize: 1, batchTimeoutMicros: 0 }, runner);
    const first = s.schedule(SIG, x([[1]]), 1);
    const late = s.schedule(SIG, x([[2]]), 1, undefined, { deadline: Date.now() + 50 });
    const ok = s.schedule(SIG, x([[3]]), 1, undefined, { deadline: Date.now() + 500 });
    const lateError = late.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(300);
    await expect(first).resolves.toBeDefined();
    expect(await lateError).toBeInstanceOf(DeadlineExceededError);
    expect(values((await ok)['y'])).toEqual([7]);
    expect(runner.batches.map(values)).toEqual([[1], [3]]);
  });

  it('refuses at enqueue a deadline already past', async () => {
    const s = scheduler({});
    await expect(
      s.schedule(SIG, x([[1]]), 1, undefined, { deadline: Date.now() }),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('takes a cancelled request off its batch, freeing its slot', async () => {
    const runner = fakeRunner();
    const s = scheduler({ maxBatchSize: 2, batchTimeoutMicros: 10_000 }, runner);
    const controller = new AbortController();
    const gone = s.schedule(SIG, x([[1]]), 1, undefined, { signal: controller.signal });
    const goneError = gone.catch((e: unknown) => e);
    controller.abort();
    expect(await goneError).toBeInstanceOf(BatchCancelledError);
    const a = s.schedule(SIG, x([[2]]), 1);
    const b = s.schedule(SIG, x([[3]]), 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(runner.batches.map(values)).toEqual([[2, 3]]);
    await Promise.all([a, b]);
    const reason = new ShuttingDownError('stopping');
    const stopped = new AbortController();
    const late = s.schedule(SIG, x([[4]]), 1, undefined, { signal: stopped.signal });
    stopped.abort(reason);
    await expect(late).rejects.toBe(reason);
  });

  it('keeps requests of different inner shapes in separate batches', async () => {
    const runner = fakeRunner();
    const s = scheduler({ maxBatchSize: 8, batchTimeoutMicros: 1000 }, runner);
    const a = s.schedule(SIG, x([[1, 2]]), 1);
    const b = s.schedule(SIG, x([[1, 2, 3]]), 1);
    const c = s.schedule(SIG, x([[3, 4]]), 1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map((t) => t.shape)).toEqual([
      [2, 2],
      [1, 3],
    ]);
    expect(values((await b)['y'])).toEqual([3, 5, 7]);
    expect(values((await c)['y'])).toEqual([7, 9]);
    await a;
  });

  it('with padVariableLengthInputs, zero-pads differing inner dims into one batch', async () => {
    const runner = fakeRunner();
    const s = scheduler(
      { maxBatchSize: 8, batchTimeoutMicros: 1000, padVariableLengthInputs: true },
      runner,
    );
    const a = s.schedule(SIG, x([[1, 2]]), 1);
    const b = s.schedule(SIG, x([[1, 2, 3]]), 1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map(values)).toEqual([[1, 2, 0, 1, 2, 3]]);
    expect(values((await a)['y'])).toEqual([3, 5, 1]);
    expect(values((await b)['y'])).toEqual([3, 5, 7]);
  });

  it('runs at most num_batch_threads batches at once', async () => {
    const runner = fakeRunner(100);
    const s = scheduler({ maxBatchSize: 1, numBatchThreads: 2 }, runner);
    const all = [1, 2, 3, 4, 5].map((v) => s.schedule(SIG, x([[v]]), 1));
    await jest.advanceTimersByTimeAsync(0);
    expect(runner.batches).toHaveLength(2);
    expect(s.runningBatches).toBe(2);
    await jest.advanceTimersByTimeAsync(300);
    await Promise.all(all);
    expect(runner.peak()).toBe(2);
  });

  it('fills the trace: queue wait, padded batch size, run time', async () => {
    const s = scheduler(
      { maxBatchSize: 4, batchTimeoutMicros: 20_000, allowedBatchSizes: [4] },
      fakeRunner(30),
    );
    const trace: RunTrace = {};
    const result = s.schedule(SIG, x([[1]]), 1, undefined, { trace });
    await jest.advanceTimersByTimeAsync(100);
    await result;
    expect(trace).toEqual({ queueWaitMs: 20, batchSize: 4, runMs: 30 });
  });

  it('fails every request of a batch whose run fails', async () => {
    const s = scheduler({ maxBatchSize: 2, batchTimeoutMicros: 1000 });
    const a = s.schedule(SIG, x([[Number.NaN]]), 1).catch((e: unknown) => e);
    const b = s.schedule(SIG, x([[1]]), 1).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1);
    expect(await a).toBeInstanceOf(InvalidInputError);
    expect(await b).toBeInstanceOf(InvalidInputError);
  });

  it('reruns one by one, and warns once, when a signature does not batch its outputs', async () => {
    const count = (batch: TensorData): Record<string, TensorData> => ({
      n: { dtype: 'int32', shape: [1], data: Int32Array.from([batch.shape[0] ?? 0]) },
    });
    const runner = fakeRunner(0, count);
    const logger = quiet();
    const s = scheduler({ maxBatchSize: 4, batchTimeoutMicros: 1000 }, runner, logger);
    const a = s.schedule(SIG, x([[1]]), 1);
    const b = s.schedule(SIG, x([[2], [3]]), 2);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map((t) => t.shape[0])).toEqual([3, 1, 2]);
    expect((await a)['n']?.data).toEqual(Int32Array.from([1]));
    expect(values((await b)['y'])).toEqual([5, 7]);
    expect(s.batches(SIG)).toBe(false);
    const later = Promise.all([s.schedule(SIG, x([[4]]), 1), s.schedule(SIG, x([[5]]), 1)]);
    await jest.advanceTimersByTimeAsync(1);
    expect((await later).map((o) => values(o['y']))).toEqual([[9], [11]]);
    expect(runner.batches.map((t) => t.shape[0])).toEqual([3, 1, 2, 1, 1]);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain("output 'n' has 1 rows for a batch of 3 examples");
  });

  it('joins a split request whose pieces were padded to different inner sizes', async () => {
    const runner = fakeRunner();
    const s = scheduler(
      { maxBatchSize: 2, batchTimeoutMicros: 1000, padVariableLengthInputs: true },
      runner,
    );
    const split = s.schedule(SIG, x([[1], [2], [3]]), 3);
    const long = s.schedule(SIG, x([[9, 9, 9]]), 1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runner.batches.map((t) => t.shape)).toEqual([
      [2, 1],
      [2, 3],
    ]);
    const y = (await split)['y'];
    expect(y?.shape).toEqual([3, 3]);
    expect(values(y)).toEqual([3, 0, 0, 5, 0, 0, 7, 1, 1]);
    await long;
  });

  it('batches string inputs', async () => {
    const calls: TensorData[] = [];
    const s = new BatchScheduler({
      parameters: resolveBatchingParameters({
        maxBatchSize: 4,
        batchTimeoutMicros: 1000,
        allowedBatchSizes: [4],
      }),
      run: (_sig, inputs) => {
        const t = inputs['s'] as TensorData;
        calls.push(t);
        return Promise.resolve({
          n: {
            dtype: 'int32',
            shape: t.shape,
            data: Int32Array.from(t.data as Uint8Array[], (b) => b.length),
          },
        });
      },
      where: () => 'm',
      logger: quiet(),
    });
    const text = (...v: string[]): Record<string, TensorData> => ({
      s: { dtype: 'string', shape: [v.length], data: v.map((w) => new TextEncoder().encode(w)) },
    });
    const a = s.schedule(SIG, text('ab'), 1);
    const b = s.schedule(SIG, text('', 'abcd'), 2);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.shape).toEqual([4]);
    expect((await a)['n']?.data).toEqual(Int32Array.from([2]));
    expect((await b)['n']?.data).toEqual(Int32Array.from([0, 4]));
  });

  it('takes batches of several signatures in turn', async () => {
    const order: string[] = [];
    const s = new BatchScheduler({
      parameters: resolveBatchingParameters({ maxBatchSize: 1, numBatchThreads: 1 }),
      run: async (signature, inputs) => {
        order.push(signature);
        await new Promise((r) => setTimeout(r, 10));
        return { ...inputs };
      },
      where: () => 'm',
      logger: quiet(),
    });
    const all = [
      s.schedule('a', x([[1]]), 1),
      s.schedule('a', x([[2]]), 1),
      s.schedule('a', x([[3]]), 1),
      s.schedule('b', x([[4]]), 1),
    ];
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(all);
    expect(order).toEqual(['a', 'b', 'a', 'a']);
  });

  it('refuses a request whose signal already aborted', async () => {
    const s = scheduler({});
    await expect(
      s.schedule(SIG, x([[1]]), 1, undefined, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(BatchCancelledError);
  });

  it('on drain, runs queued batches without waiting for their timeout, then refuses new work', async () => {
    const runner = fakeRunner(10);
    const s = scheduler({ maxBatchSize: 8, batchTimeoutMicros: 60_000_000 }, runner);
    const a = s.schedule(SIG, x([[1]]), 1);
    let drained = false;
    const drain = s.drain().then(() => (drained = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(runner.batches).toHaveLength(1);
    expect(drained).toBe(false);
    await jest.advanceTimersByTimeAsync(10);
    await drain;
    expect(values((await a)['y'])).toEqual([3]);
    await expect(s.schedule(SIG, x([[1]]), 1)).rejects.toBeInstanceOf(ShuttingDownError);
    expect(jest.getTimerCount()).toBe(0);
  });
});
