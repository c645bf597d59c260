// The engines side by side in one run: the same 784-512-512-10 MLP (same weights) as an ONNX
// model on ONNX Runtime and as a TensorFlow.js layers model on WASM, raw and served over REST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { configureModelServingApp, ModelServingModule } from 'nest-model-serving';
import * as ort from 'onnxruntime-node';
import { writeLayersModel } from '../scripts/sample-models/iris.js';
import { mlpWeights, writeOnnxMlp } from '../scripts/sample-models/onnx-mlp.js';
import { CONCURRENCY, measure, SECONDS } from './measure.js';

const LAYERS = [784, 512, 512, 10];

/** The MLP as a tfjs layers model with the ONNX model's weights (kernels are [in, out] in both). */
function buildTfjsMlp(): tfl.Sequential {
  const model = tfl.sequential();
  for (let l = 1; l < LAYERS.length; l++) {
    model.add(
      tfl.layers.dense({
        units: LAYERS[l]!,
        activation: l < LAYERS.length - 1 ? 'relu' : 'linear',
        ...(l === 1 ? { inputShape: [LAYERS[0]!] } : {}),
      }),
    );
  }
  const weights = mlpWeights(LAYERS);
  model.setWeights(
    weights.map((w, i) =>
      i % 2 === 0 ? tf.tensor2d(w, [LAYERS[i / 2]!, LAYERS[i / 2 + 1]!]) : tf.tensor1d(w),
    ),
  );
  return model;
}

export async function benchEngines(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-engines-'));
  try {
    await writeOnnxMlp(join(dir, 'mlp_onnx', '1'), LAYERS);
    const row = Array.from({ length: LAYERS[0]! }, (_, i) => (i % 17) / 17);

    // Raw tfjs on the active backend (WASM), then saved for the server.
    const tfjsModel = buildTfjsMlp();
    const rawTfjs = await measure(async () => {
      const x = tf.tensor2d([row]);
      const y = tfjsModel.predict(x) as tf.Tensor;
      await y.data();
      tf.dispose([x, y]);
    }, 1);
    await writeLayersModel(tfjsModel, join(dir, 'mlp_tfjs', '1'), 'weights.bin');
    tfjsModel.dispose();

    const session = await ort.InferenceSession.create(join(dir, 'mlp_onnx', '1', 'model.onnx'));
    const input = new ort.Tensor('float32', Float32Array.from(row), [1, LAYERS[0]!]);
    const rawOnnx = await measure(async () => {
      const out = await session.run({ x: input });
      for (const t of Object.values(out)) t.dispose();
    }, 1);
    await session.release();

    const app = await NestFactory.create(
      ModelServingModule.forRoot({
        models: ['mlp_onnx', 'mlp_tfjs'].map((name) => ({ name, basePath: join(dir, name) })),
        pollIntervalMs: 0,
        backend: 'wasm',
      }),
      { logger: false, abortOnError: false },
    );
    configureModelServingApp(app, { enableShutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const body = JSON.stringify({ instances: [row] });
    const post = (model: string) => () =>
      fetch(`${url}/v1/models/${model}:predict`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      }).then((r) => r.text());

    const servedOnnx = await measure(post('mlp_onnx'));
    const servedTfjs = await measure(post('mlp_tfjs'));
    await app.close();

    console.log(
      `MLP ${LAYERS.join('-')}, one row per request; ${SECONDS} s per row, ${CONCURRENCY} concurrent clients`,
    );
    console.log(`  raw ONNX Runtime   ${rawOnnx.toFixed(0).padStart(8)} req/s`);
    console.log(`  raw tfjs-wasm      ${rawTfjs.toFixed(0).padStart(8)} req/s`);
    console.log(`  served ONNX (REST) ${servedOnnx.toFixed(0).padStart(8)} req/s`);
    console.log(`  served tfjs-wasm   ${servedTfjs.toFixed(0).padStart(8)} req/s`);
    console.log(`  raw ONNX / raw tfjs-wasm:       ${(rawOnnx / rawTfjs).toFixed(2)}`);
    console.log(`  served ONNX / served tfjs-wasm: ${(servedOnnx / servedTfjs).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
