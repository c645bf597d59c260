// The raw engines, in the bench process: the same model files the server loads, run directly
// by TensorFlow.js (WASM backend, as the server runs it) and by ONNX Runtime (its defaults, as
// the server's ONNX engine uses them). No HTTP, no JSON: the ceiling a server can approach.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import {
  BENCH_INPUT,
  BENCH_MODELS,
  BENCH_OUTPUT,
  benchInput,
  type BenchModelName,
} from '../scripts/sample-models/bench-models.js';
import { fileLoadHandler } from '../scripts/sample-models/model-io.js';
import { loop, type Measured } from './measure.js';

/** One forward pass over a batch of `rows` examples; resolves once the output is read back. */
export type Predict = (input: Float32Array, rows: number) => Promise<void>;

export interface RawEngine {
  readonly predict: Predict;
  readonly dispose: () => Promise<void>;
}

/** Selects the WASM backend once for the bench process. */
export async function useWasm(): Promise<void> {
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) {
    throw new Error('could not initialise the TensorFlow.js WASM backend');
  }
  await tf.ready();
}

/** Loads a bench model's version directory with the engine its format calls for. */
export async function loadRawEngine(name: BenchModelName, versionDir: string): Promise<RawEngine> {
  const shape = BENCH_MODELS[name].inputShape;
  if (BENCH_MODELS[name].format === 'tfjs') {
    await useWasm();
    const model = await tfl.loadLayersModel(fileLoadHandler(versionDir));
    return {
      predict: async (input, rows) => {
        const x = tf.tensor(input, [rows, ...shape]);
        const y = model.predict(x) as tf.Tensor;
        await y.data();
        tf.dispose([x, y]);
      },
      dispose: () => {
        model.dispose();
        return Promise.resolve();
      },
    };
  }
  const session = await ort.InferenceSession.create(join(versionDir, 'model.onnx'));
  return {
    predict: async (input, rows) => {
      const x = new ort.Tensor('float32', input, [rows, ...shape]);
      const out = await session.run({ [BENCH_INPUT]: x });
      out[BENCH_OUTPUT]?.dispose();
    },
    dispose: () => session.release(),
  };
}

/** Samples per second (and per-call latency) of `engine` at each batch size. */
export async function measureRaw(
  name: BenchModelName,
  engine: RawEngine,
  batches: readonly number[],
  seconds: number,
): Promise<Map<number, Measured>> {
  const results = new Map<number, Measured>();
  for (const rows of batches) {
    const input = benchInput(name, rows);
    const calls = await loop(() => engine.predict(input, rows), seconds, 1, 5);
    results.set(rows, { ...calls, perSecond: calls.perSecond * rows });
  }
  return results;
}
