import { jest } from '@jest/globals';
import { type LoggerService } from '@nestjs/common';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { QueueFullError } from '../errors/queue-full.error.js';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import { ModelExecutor, type RunOptions, type RunTrace } from '../models/model.executor.js';
import { PREDICT_METHOD, type SignatureMap, type TensorSpec } from '../models/signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { BatchingExecutor } from './batching.executor.js';
import { resolveBatchingParameters } from './batching-parameters.js';

const spec = (shape?: number[]): TensorSpec => ({
  name: 'x:0',
  dtype: 'float32',
  ...(shape && { shape }),
});
const SIGNATURES: SignatureMap = {
  serving_default: {
    methodName: PREDICT_METHOD,
    inputs: { x: spec([-1, 2]) },
    outputs: { y: spec([-1, 2]) },
  },
  fixed: { methodName: PREDICT_METHOD, inputs: { x: spec([4, 2]) }, outputs: { y: spec([4, 2]) } },
  scalar: { methodName: PREDICT_METHOD, inputs: { x: spec([]) }, outputs: { y: spec([]) } },
  any_rank: { methodName: PREDICT_METHOD, inputs: { x: spec() }, outputs: { y: spec() } },
  pair: {
    methodName: PREDICT_METHOD,
    inputs: { x: spec([-1, 2]), z: spec([-1]) },
    outputs: { y: spec([-1, 2]) },
  },
};

/** An inner executor computing y = 2x + 1 that records each call and takes `runMs` of fake time. */
class FakeExecutor extends ModelExecutor {
  readonly signatures = SIGNATURES;
  readonly backend = 'fake';
  readonly calls: { signature: string; shape: readonly number[] }[] = [];
  disposed = false;

  constructor(private readonly runMs = 0) {
    super();
  }

  async run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    _outputs?: readonly string[],
    options?: RunOptions,
  ): Promise<Record<string, TensorData>> {
    const input = inputs['x'] as TensorData;
    this.calls.push({ signature, shape: input.shape });
    if (this.runMs > 0) await new Promise((r) => setTimeout(r, this.runMs));
    if (options?.trace) options.trace.runMs = this.runMs;
    const y = Float32Array.from(input.data as Float32Array, (v) => 2 * v + 1);
    return { y: { dtype: 'float32', shape: input.shape, data: y } };
  }

  dispose(): void {
    this.disposed = true;
  }
}

const x = (...rows: number[][]): Record<string, TensorData> => ({
  x: { dtype: 'float32', shape: [rows.length, 2], data: Float32Array.from(rows.flat()) },
});
const values = (o: Record<string, TensorData>): number[] => [...(o['y']?.data as Float32Array)];

function logger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): number => lines.push(m);
  return { lines, log: push, warn: push, error: push };
}

function wrap(inner: ModelExecutor, options = {}, log = logger()) {
  const parameters = resolveBatchingParameters({
    maxBatchSize: 8,
    batchTimeoutMicros: 5000,
    numBatchThreads: 1,
    ...options,
  });
  return new BatchingExecutor(inner, { model: 'm', version: 3, parameters, logger: log });
}

describe('BatchingExecutor', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps the signatures and backend of the executor it wraps', () => {
    const inner = new FakeExecutor();
    const executor = wrap(inner);
    expect(executor.signatures).toBe(inner.signatures);
    expect(executor.backend).toBe('fake');
  });

  it('batches requests of a signature with an unknown dimension 0', async () => {
    const inner = new FakeExecutor();
    const executor = wrap(inner);
    const trace: RunTrace = {};
    const a = executor.run('serving_default', x([1, 2]), undefined, { trace });
    const b = executor.run('serving_default', x([3, 4], [5, 6]));
    await jest.advanceTimersByTimeAsync(5);
    expect(inner.calls).toEqual([{ signature: 'serving_default', shape: [3, 2] }]);
    expect(values(await a)).toEqual([3, 5]);
    expect(values(await b)).toEqual([7, 9, 11, 13]);
    expect(trace).toEqual({ queueWaitMs: 5, batchSize: 3, runMs: 0 });
  });

  it('runs signatures that cannot batch directly, and says so once per signature', async () => {
    const inner = new FakeExecutor();
    const log = logger();
    const executor = wrap(inner, {}, log);
    expect(log.lines).toEqual([
      "model 'm' version 3 signature 'fixed' is not batched: input 'x' has a fixed dimension 0 (4); its requests run one by one",
      "model 'm' version 3 signature 'scalar' is not batched: input 'x' is a scalar; its requests run one by one",
      "model 'm' version 3 signature 'any_rank' is not batched: input 'x' has an unknown rank; its requests run one by one",
    ]);
    const four = x([1, 1], [2, 2], [3, 3], [4, 4]);
    const runs = [executor.run('fixed', four), executor.run('fixed', four)];
    await jest.advanceTimersByTimeAsync(0);
    await Promise.all(runs);
    expect(inner.calls.map((c) => c.shape)).toEqual([
      [4, 2],
      [4, 2],
    ]);
    const status = executor.describe();
    expect(status.signatures.find((s) => s.signature === 'fixed')).toMatchObject({
      batched: false,
      reason: "input 'x' has a fixed dimension 0 (4)",
    });
    expect(status.signatures.find((s) => s.signature === 'serving_default')).toMatchObject({
      batched: true,
      queuedBatches: 0,
    });
    expect(status.parameters.maxBatchSize).toBe(8);
  });

  it('runs a request whose inputs disagree on dimension 0 unbatched, for the executor to answer', async () => {
    const inner = new FakeExecutor();
    const executor = wrap(inner);
    const z: TensorData = { dtype: 'float32', shape: [3], data: new Float32Array(3) };
    await executor.run('pair', { ...x([1, 2]), z });
    expect(inner.calls).toEqual([{ signature: 'pair', shape: [1, 2] }]);
  });

  it('answers QUEUE_FULL at once when the queue is full', async () => {
    const inner = new FakeExecutor(100);
    const executor = wrap(inner, { maxBatchSize: 1, maxEnqueuedBatches: 1, batchTimeoutMicros: 0 });
    const running = executor.run('serving_default', x([1, 2]));
    const waiting = executor.run('serving_default', x([1, 2]));
    await expect(executor.run('serving_default', x([1, 2]))).rejects.toBeInstanceOf(QueueFullError);
    await jest.advanceTimersByTimeAsync(200);
    await Promise.all([running, waiting]);
  });

  it('on dispose, flushes queued batches, waits for running ones, then disposes the inner executor', async () => {
    const inner = new FakeExecutor(50);
    const executor = wrap(inner, { batchTimeoutMicros: 10_000_000 });
    const queued = executor.run('serving_default', x([1, 2]));
    const direct = executor.run('fixed', x([1, 1], [2, 2], [3, 3], [4, 4]));
    const disposed = executor.dispose();
    expect(executor.dispose()).toBe(disposed);
    await expect(executor.run('serving_default', x([1, 2]))).rejects.toBeInstanceOf(
      ShuttingDownError,
    );
    await jest.advanceTimersByTimeAsync(49);
    expect(inner.disposed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await disposed;
    expect(inner.disposed).toBe(true);
    expect(values(await queued)).toEqual([3, 5]);
    await expect(direct).resolves.toBeDefined();
  });
});

/** A real tfjs dense layer (CPU backend): y = x·W + b, with W = [[1, 2], [3, 4]], b = [10, 20]. */
class TfjsDenseExecutor extends ModelExecutor {
  readonly signatures = SIGNATURES;
  readonly backend = 'cpu';
  readonly batchSizes: number[] = [];
  private readonly w = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  private readonly b = tf.tensor1d([10, 20]);

  async run(
    _signature: string,
    inputs: Readonly<Record<string, TensorData>>,
  ): Promise<Record<string, TensorData>> {
    const input = inputs['x'] as TensorData;
    this.batchSizes.push(input.shape[0] ?? 0);
    const y = tf.tidy(() =>
      tf.add(tf.matMul(tf.tensor(input.data as Float32Array, [...input.shape]), this.w), this.b),
    );
    const data = (await y.data()) as Float32Array;
    const result: TensorData = { dtype: 'float32', shape: y.shape, data };
    y.dispose();
    return { y: result };
  }

  dispose(): void {
    this.w.dispose();
    this.b.dispose();
  }
}

describe('BatchingExecutor over a tfjs model', () => {
  beforeAll(async () => {
    // As select-backend.ts: no "install tfjs-node" banner in test output.
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  it('gives each request the rows it would get alone, padded batches included', async () => {
    const inner = new TfjsDenseExecutor();
    const executor = wrap(inner, {
      maxBatchSize: 4,
      allowedBatchSizes: [2, 4],
      batchTimeoutMicros: 2000,
    });
    const requests = [x([1, 0]), x([0, 1], [1, 1]), x([2, 3]), x([-1, 5], [4, 4], [0, 0])];
    const outputs = await Promise.all(requests.map((r) => executor.run('serving_default', r)));
    const expected = (rows: number[]): number[] => {
      const out: number[] = [];
      for (let i = 0; i < rows.length; i += 2) {
        const [a = 0, c = 0] = [rows[i], rows[i + 1]];
        out.push(a + 3 * c + 10, 2 * a + 4 * c + 20);
      }
      return out;
    };
    outputs.forEach((o, i) => {
      expect(values(o)).toEqual(expected([...(requests[i]?.['x']?.data as Float32Array)]));
    });
    expect(inner.batchSizes.reduce((n, s) => n + s, 0)).toBeGreaterThanOrEqual(7);
    expect(inner.batchSizes.every((s) => s === 2 || s === 4)).toBe(true);
    const before = tf.memory().numTensors;
    await executor.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });
});
