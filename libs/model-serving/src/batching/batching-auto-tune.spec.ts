import { ModelExecutor } from '../models/model.executor.js';
import { PREDICT_METHOD, type SignatureMap } from '../models/signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import {
  autoTuneBatching,
  type BatchCostPoint,
  chooseBatchingOptions,
} from './batching-auto-tune.js';
import { resolveBatchingParameters } from './batching-parameters.js';

const point = (batchSize: number, batchMs: number): BatchCostPoint => ({
  batchSize,
  batchMs,
  perExampleMs: batchMs / batchSize,
});

describe('chooseBatchingOptions', () => {
  it('stops at the size past which per-example time improves by 10 % or less', () => {
    // per example: 2, 0.5, 0.25, 0.24 → 128 gains 4 %, so 32.
    const curve = [point(1, 2), point(8, 4), point(32, 8), point(128, 30.72)];
    const options = chooseBatchingOptions(curve, 3);
    // No padding sizes; one core of three left to the main thread.
    expect(options).toEqual({
      maxBatchSize: 32,
      batchTimeoutMicros: 2000,
      maxEnqueuedBatches: 128,
      numBatchThreads: 2,
    });
    expect(() => resolveBatchingParameters(options)).not.toThrow();
  });

  it('goes to the largest size while batching keeps paying', () => {
    const curve = [point(128, 12.8), point(1, 1), point(8, 2), point(32, 4)];
    expect(chooseBatchingOptions(curve)).toMatchObject({ maxBatchSize: 128, numBatchThreads: 1 });
  });

  it('chooses no batching (size 1) when a batch costs as much per example', () => {
    const curve = [point(1, 1), point(8, 8), point(32, 32)];
    // A queue of 4096 single examples: a large request is split and queued, not refused.
    expect(chooseBatchingOptions(curve, 2)).toEqual({
      maxBatchSize: 1,
      batchTimeoutMicros: 1000,
      maxEnqueuedBatches: 4096,
      numBatchThreads: 1,
    });
  });

  it('keeps the timeout within 100 µs and 100 ms', () => {
    expect(chooseBatchingOptions([point(1, 0.01)]).batchTimeoutMicros).toBe(100);
    expect(chooseBatchingOptions([point(1, 500)]).batchTimeoutMicros).toBe(100_000);
  });
});

/** An executor whose batches cost `cost(batchSize)` ms on a virtual clock. */
class CostExecutor extends ModelExecutor {
  readonly backend = 'fake';
  readonly calls: Record<string, TensorData>[] = [];
  clock = 0;

  constructor(
    readonly signatures: SignatureMap,
    private readonly cost: (batchSize: number) => number,
  ) {
    super();
  }

  run(_signature: string, inputs: Readonly<Record<string, TensorData>>) {
    this.calls.push({ ...inputs });
    this.clock += this.cost(Object.values(inputs)[0]?.shape[0] ?? 0);
    return Promise.resolve({});
  }

  dispose(): void {}
}

const SIGNATURES: SignatureMap = {
  fixed: {
    methodName: PREDICT_METHOD,
    inputs: { a: { name: 'a', dtype: 'float32', shape: [2] } },
    outputs: {},
  },
  serving_default: {
    methodName: PREDICT_METHOD,
    inputs: {
      x: { name: 'x', dtype: 'float32', shape: [-1, -1, 3] },
      ids: { name: 'ids', dtype: 'int32', shape: [-1] },
      text: { name: 't', dtype: 'string', shape: [-1] },
    },
    outputs: {},
  },
};

describe('autoTuneBatching', () => {
  it('measures the default signature on zero inputs and picks from the curve', async () => {
    const executor = new CostExecutor(SIGNATURES, (b) => 1 + b / 16);
    const tuned = await autoTuneBatching(executor, { now: () => executor.clock });
    expect(tuned?.signature).toBe('serving_default');
    expect(tuned?.curve.map((p) => p.batchSize)).toEqual([1, 8, 32, 128]);
    expect(tuned?.curve[0]?.batchMs).toBeCloseTo(1 + 1 / 16);
    // 4 sizes × (1 warm-up + 3 timed runs).
    expect(executor.calls).toHaveLength(16);
    const inputs = executor.calls.at(-1);
    expect(inputs?.['x']?.shape).toEqual([128, 1, 3]);
    expect(inputs?.['x']?.data).toEqual(new Float32Array(384));
    expect(inputs?.['ids']?.data).toEqual(new Int32Array(128));
    expect(inputs?.['text']?.data).toHaveLength(128);
    expect(tuned?.options).toEqual(chooseBatchingOptions(tuned?.curve ?? []));
  });

  it('stops measuring once its budget is spent', async () => {
    const executor = new CostExecutor(SIGNATURES, (b) => 100 * b);
    const tuned = await autoTuneBatching(executor, { now: () => executor.clock, budgetMs: 1000 });
    expect(tuned?.curve.map((p) => p.batchSize)).toEqual([1, 8]);
  });

  it('gives nothing when no signature can batch', async () => {
    const executor = new CostExecutor({ fixed: SIGNATURES['fixed']! }, () => 1);
    await expect(autoTuneBatching(executor)).resolves.toBeUndefined();
  });

  it('ends the curve at the first size the executor refuses', async () => {
    const executor = new CostExecutor(SIGNATURES, (b) => {
      if (b > 8) throw new RangeError('too big');
      return b;
    });
    const tuned = await autoTuneBatching(executor, { now: () => executor.clock });
    expect(tuned?.curve.map((p) => p.batchSize)).toEqual([1, 8]);
  });
});
