import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelRegistry } from 'nest-model-serving';
import { post } from './helpers/http.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

describe('memory', () => {
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp({ models: [], pollIntervalMs: 0 });
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('returns to the baseline tensor count over 20 load/predict/unload cycles', async () => {
    const registry = serving.app.get(ModelRegistry);
    const baseline = tf.memory().numTensors;
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
    for (let cycle = 0; cycle < 20; cycle++) {
      await registry.reloadConfig(configs);
      expect(tf.memory().numTensors).toBeGreaterThan(baseline);
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
      expect(tf.memory().numTensors).toBe(baseline);
    }
  });
});
