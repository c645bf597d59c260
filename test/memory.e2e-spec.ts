import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelRegistry } from 'nest-model-serving';
import { type ServingPipeline } from '../libs/model-serving/src/models/executor-plugin.js';
import { MODEL_SERVING_PIPELINE } from '../libs/model-serving/src/module/model-serving.constants.js';
import { type WorkerPoolPlugin } from '../libs/model-serving/src/workers/worker-pool.plugin.js';
import { post } from './helpers/http.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const configs = [
  {
    name: 'iris',
    basePath: join(SAMPLE_MODELS, 'iris'),
    versionPolicy: { all: true } as const,
    versionLabels: {},
  },
  {
    name: 'half_plus_two',
    basePath: join(SAMPLE_MODELS, 'half_plus_two'),
    versionPolicy: { latest: 1 },
    versionLabels: {},
  },
];

describe.each([0, 2])('memory (workers: %i)', (workers) => {
  let serving: ServingApp;
  /** Tensors held by the engines: in this thread, or summed over the worker threads. */
  let tensors: () => Promise<number>;

  beforeAll(async () => {
    serving = await startServingApp({ models: [], pollIntervalMs: 0, workers });
    const pipeline = serving.app.get<ServingPipeline>(MODEL_SERVING_PIPELINE);
    const pool = pipeline.plugins.find((p) => p.name === 'worker-pool') as
      WorkerPoolPlugin | undefined;
    tensors = pool
      ? async () => {
          const stats = (await pool.workerPool?.stats()) ?? [];
          return stats.reduce((sum, s) => sum + (s?.numTensors ?? 0), 0);
        }
      : () => Promise.resolve(tf.memory().numTensors);
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('returns to the baseline tensor count over 20 load/predict/unload cycles', async () => {
    const registry = serving.app.get(ModelRegistry);
    await registry.reloadConfig(configs);
    await registry.reloadConfig([]);
    const baseline = await tensors();
    for (let cycle = 0; cycle < 20; cycle++) {
      await registry.reloadConfig(configs);
      expect(await tensors()).toBeGreaterThan(baseline);
      const res = await post(
        `${serving.url}/v1/models/half_plus_two:predict`,
        '{"instances": [1.0]}',
      );
      expect(res.json).toEqual({ predictions: [2.5] });
      const bad = await post(`${serving.url}/v1/models/iris:predict`, '{"instances": [[1, 2, 3]]}');
      expect(bad.status).toBe(400);
      const iris = await post(
        `${serving.url}/v1/models/iris/versions/1:predict`,
        '{"instances": [[1, 2, 3, 4]]}',
      );
      expect(iris.status).toBe(200);
      await registry.reloadConfig([]);
      expect(await tensors()).toBe(baseline);
    }
  });
});
