import { performance } from 'node:perf_hooks';
import { type BatchingOptions } from '../config/model-serving-options.interface.js';
import { type ModelExecutor } from '../models/model.executor.js';
import { DEFAULT_SIGNATURE, type SignatureDef } from '../models/signature.js';
import { elementCount, type TensorData } from '../tensor/tensor-data.js';
import { allocate } from '../tensor/typed-values.js';
import { whyNotBatched } from './signature-batching.js';

/** One point of a cost curve: how long one batch of `batchSize` examples took. @publicApi */
export interface BatchCostPoint {
  readonly batchSize: number;
  /** Median of the timed runs (ms). */
  readonly batchMs: number;
  /** `batchMs / batchSize`. */
  readonly perExampleMs: number;
}

/** What auto-tuning chose, and from what. @publicApi */
export interface BatchingAutoTune {
  readonly options: BatchingOptions;
  /** The signature measured. */
  readonly signature: string;
  /** The measured points, by increasing batch size. */
  readonly curve: readonly BatchCostPoint[];
}

/** How {@link autoTuneBatching} measures. @publicApi */
export interface BatchingAutoTuneOptions {
  /** Batch sizes measured. @defaultValue `[1, 8, 32, 128]` */
  readonly batchSizes?: readonly number[];
  /** Timed runs per size, after one untimed warm-up run. @defaultValue 3 */
  readonly runsPerSize?: number;
  /** Measuring stops at the first size started past this budget (ms). @defaultValue 2000 */
  readonly budgetMs?: number;
  /** Batches that can run truly at once behind the executor (its worker threads). @defaultValue 1 */
  readonly parallelism?: number;
  /** A monotonic clock in ms. @defaultValue `performance.now` */
  readonly now?: () => number;
}

/** Per-example time must improve by more than this to make a larger batch worth it. */
const MIN_GAIN = 0.1;
/** Examples the auto-tuned queue holds, whatever batch size was picked. */
const QUEUED_EXAMPLES = 4096;
/** Bounds of the chosen batch timeout (µs). */
const MIN_TIMEOUT_MICROS = 100;
const MAX_TIMEOUT_MICROS = 100_000;

/**
 * Picks batching parameters from a cost curve (pure, for tests and for measured curves alike):
 * - `maxBatchSize`: walking up the curve, the largest size reached while each step still cut
 *   the per-example time by more than 10 %; past it, batching adds latency for little throughput.
 * - `batchTimeoutMicros`: the batch-1 latency (within 100 µs – 100 ms), so a lone request waits
 *   at most about as long as it runs, i.e. its latency at most doubles.
 * - no `allowedBatchSizes`: the engines served here run any batch size, and padding a batch of 9
 *   up to 32 would spend the engine on rows nobody asked for.
 * - `maxEnqueuedBatches`: enough batches to queue 4096 examples (at least TF Serving's 10), so a
 *   large request split into `maxBatchSize` pieces is queued, not refused, whatever size was
 *   picked.
 * - `numBatchThreads`: `parallelism - 1` (at least 1): the batches that run at once behind the
 *   executor, leaving one core to the main thread that decodes and encodes the requests; more
 *   batches at once would only close them early and small. Measured on 2 cores with 2 workers:
 *   one batch thread answered 1.5× what two did.
 * @publicApi
 */
export function chooseBatchingOptions(
  curve: readonly BatchCostPoint[],
  parallelism = 1,
): BatchingOptions {
  const points = [...curve].sort((a, b) => a.batchSize - b.batchSize);
  const [first] = points;
  if (!first) return { numBatchThreads: Math.max(1, Math.floor(parallelism) - 1) };
  let best = first;
  for (const point of points.slice(1)) {
    if (point.perExampleMs >= best.perExampleMs * (1 - MIN_GAIN)) break;
    best = point;
  }
  const single = points.find((p) => p.batchSize === 1) ?? first;
  const timeout = Math.round((single.batchMs / single.batchSize) * 1000);
  return {
    maxBatchSize: best.batchSize,
    batchTimeoutMicros: Math.min(MAX_TIMEOUT_MICROS, Math.max(MIN_TIMEOUT_MICROS, timeout)),
    maxEnqueuedBatches: Math.max(10, Math.ceil(QUEUED_EXAMPLES / best.batchSize)),
    numBatchThreads: Math.max(1, Math.floor(parallelism) - 1),
  };
}

/** Zero inputs of `batchSize` examples; unknown inner dimensions count as 1. */
function zeroInputs(signature: SignatureDef, batchSize: number): Record<string, TensorData> {
  return Object.fromEntries(
    Object.entries(signature.inputs).map(([alias, spec]) => {
      const shape = (spec.shape ?? []).map((d, i) => (i === 0 ? batchSize : d < 0 ? 1 : d));
      const n = elementCount(shape);
      const data =
        spec.dtype === 'string'
          ? Array.from({ length: n }, () => new Uint8Array(0))
          : allocate(spec.dtype, n);
      return [alias, { dtype: spec.dtype, shape, data }];
    }),
  );
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * Measures the wrapped executor's cost curve on zero inputs (`serving_default`, else the first
 * signature that can batch) and picks the parameters with {@link chooseBatchingOptions}: what
 * `batching: true` does at warm-up. Each size gets an untimed run, then `runsPerSize` timed
 * ones; sizes stop once `budgetMs` is spent, so a slow model is measured on fewer sizes.
 * @returns `undefined` when no signature can batch, or when even batch 1 fails on zero inputs
 * (e.g. a model that rejects empty strings): batching then stays off for the version.
 * @publicApi
 */
export async function autoTuneBatching(
  executor: ModelExecutor,
  options: BatchingAutoTuneOptions = {},
): Promise<BatchingAutoTune | undefined> {
  const { batchSizes = [1, 8, 32, 128], budgetMs = 2000 } = options;
  const runsPerSize = Math.max(1, options.runsPerSize ?? 3);
  const entries = Object.entries(executor.signatures);
  const batchable = entries.filter(([, def]) => whyNotBatched(def) === undefined);
  const [key, def] = batchable.find(([k]) => k === DEFAULT_SIGNATURE) ?? batchable[0] ?? [];
  if (key === undefined || def === undefined) return undefined;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const curve: BatchCostPoint[] = [];
  for (const batchSize of [...batchSizes].sort((a, b) => a - b)) {
    if (curve.length > 0 && now() - started > budgetMs) break;
    const inputs = zeroInputs(def, batchSize);
    const times: number[] = [];
    try {
      await executor.run(key, inputs);
      for (let i = 0; i < runsPerSize; i++) {
        const t0 = now();
        await executor.run(key, inputs);
        times.push(now() - t0);
        if (now() - started > budgetMs) break;
      }
    } catch {
      // A size the model refuses (out of memory, a fixed-size layer) ends the curve there.
      break;
    }
    const batchMs = median(times);
    curve.push({ batchSize, batchMs, perExampleMs: batchMs / batchSize });
  }
  if (curve.length === 0) return undefined;
  return {
    options: chooseBatchingOptions(curve, options.parallelism),
    signature: key,
    curve,
  };
}
