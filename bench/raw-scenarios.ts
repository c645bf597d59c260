// Scenario a (and the raw half of h): each engine in-process at batch 1, 8, 32, 128 on the MLP,
// and at the served batch on the CNN, before any server competes for the cores.
import { join } from 'node:path';
import { type BenchModelName } from '../scripts/sample-models/bench-models.js';
import { basePath, type Context, reason } from './context.js';
import { loadRawEngine, measureRaw } from './engines.js';

export const RAW_BATCHES = [1, 8, 32, 128] as const;
/** The batch of the served-vs-raw comparisons (b, h, gRPC). */
export const SERVED_BATCH = 32;

const ENGINE_LABEL: Record<BenchModelName, string> = {
  mlp_tfjs: 'tfjs-wasm mlp',
  mlp_onnx: 'onnx mlp',
  cnn_tfjs: 'tfjs-wasm cnn',
  cnn_onnx: 'onnx cnn',
};

/** The row name of a raw run. */
export const rawName = (model: BenchModelName, batch: number): string =>
  `a raw ${ENGINE_LABEL[model]} b${batch}`;

export async function rawScenarios(ctx: Context): Promise<void> {
  console.log('a. raw engines, in-process');
  const plan: [BenchModelName, readonly number[]][] = [
    ['mlp_tfjs', RAW_BATCHES],
    ['mlp_onnx', RAW_BATCHES],
    ['cnn_tfjs', [SERVED_BATCH]],
    ['cnn_onnx', [SERVED_BATCH]],
  ];
  for (const [model, batches] of plan) {
    let engine;
    try {
      engine = await loadRawEngine(model, join(basePath(ctx, model), '1'));
    } catch (error) {
      for (const b of batches) ctx.results.skip(rawName(model, b), reason(error));
      continue;
    }
    try {
      const measured = await measureRaw(model, engine, batches, ctx.durations.rawSeconds);
      for (const [batch, m] of measured) {
        ctx.results.add(rawName(model, batch), m, {
          unit: 'samples/s',
          batch,
          clients: 1,
          note: 'p50/p99 per call',
        });
      }
    } finally {
      await engine.dispose();
    }
  }
}
