import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ModelRegistry } from 'nest-model-serving';
import { EINSUM_WEIGHTS, writeEinsumModel } from './helpers/einsum-model.js';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp } from './helpers/serving-app.js';

describe('engines', () => {
  let base: { path: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    base = await tempDir('einsum');
    await writeEinsumModel(join(base.path, '1'));
  });

  afterAll(() => base.cleanup());

  it('runs on WASM by default and moves a model whose kernels WASM lacks to the CPU backend', async () => {
    const serving = await startServingApp({
      backend: 'auto',
      pollIntervalMs: 0,
      models: [
        { name: 'einsum', basePath: base.path },
        { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
      ],
    });
    try {
      expect(tf.getBackend()).toBe('wasm');
      expect(tf.getKernel('Einsum', 'wasm')).toBeUndefined();
      const x = [
        [1, 2, 3],
        [-1, 0.5, 4],
      ];
      const res = await post(
        `${serving.url}/v1/models/einsum:predict`,
        JSON.stringify({ instances: x }),
      );
      expect(res.status).toBe(200);
      const expected = x.map((row) =>
        Math.fround(row.reduce((sum, v, i) => sum + v * EINSUM_WEIGHTS[i]!, 0)),
      );
      expect(res.json).toEqual({ predictions: expected });
      // The rest of the process stays on WASM.
      expect(tf.getBackend()).toBe('wasm');
      const half = await post(
        `${serving.url}/v1/models/half_plus_two:predict`,
        '{"instances": [4]}',
      );
      expect(half.json).toEqual({ predictions: [4] });
      const registry = serving.app.get(ModelRegistry);
      expect(registry.ready).toBe(true);
    } finally {
      await serving.app.close();
    }
  });

  it('fails the load naming the kernel when WASM is required', async () => {
    const serving = await startServingApp({
      backend: 'wasm',
      pollIntervalMs: 0,
      maxLoadRetries: 0,
      models: [
        { name: 'einsum', basePath: base.path },
        { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
      ],
    });
    try {
      const status = (await get(`${serving.url}/v1/models/einsum`)).json.model_version_status[0];
      expect(status.state).toBe('END');
      expect(status.status).toEqual({
        error_code: 'UNIMPLEMENTED',
        error_message:
          "model 'einsum' version 1 needs the kernel Einsum, which the wasm backend lacks (backend 'wasm' was requested; 'auto' falls back to cpu)",
      });
      // The model that works is served all the same.
      const half = await post(
        `${serving.url}/v1/models/half_plus_two:predict`,
        '{"instances": [0]}',
      );
      expect(half.json).toEqual({ predictions: [2] });
    } finally {
      await serving.app.close();
    }
  });

  it('runs on the CPU backend when asked', async () => {
    const serving = await startServingApp({
      backend: 'cpu',
      pollIntervalMs: 0,
      models: [{ name: 'einsum', basePath: base.path }],
    });
    try {
      expect(tf.getBackend()).toBe('cpu');
      const res = await post(
        `${serving.url}/v1/models/einsum:predict`,
        '{"instances": [[2, 0, 1]]}',
      );
      expect(res.json).toEqual({ predictions: [4] });
    } finally {
      await serving.app.close();
    }
  });
});
