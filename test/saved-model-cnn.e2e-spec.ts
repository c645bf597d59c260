import { join } from 'node:path';
import { post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import {
  type CnnExportOptions,
  cnnForward,
  type CnnParams,
  writeCnnSavedModel,
} from './helpers/saved-model-writer/cnn-export.js';
import { fillRandom } from './helpers/saved-model-writer/cnn-model.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const SMALL = {
  height: 8,
  width: 8,
  channels: 3,
  filters: [4, 8],
  kernel: 3,
  dense: 16,
  classes: 5,
} as const;

/** 32x32x3 → conv 32 → conv 64 → flatten 4096 → dense 1536 → 10: ~25 MB of float32 weights. */
const LARGE = {
  height: 32,
  width: 32,
  channels: 3,
  filters: [32, 64],
  kernel: 3,
  dense: 1536,
  classes: 10,
} as const;

const MODELS: Record<string, CnnExportOptions> = {
  cnn_tf1: { ...SMALL, filters: [...SMALL.filters], style: 'tf1', seed: 3 },
  cnn_tf2: { ...SMALL, filters: [...SMALL.filters], style: 'tf2', seed: 4 },
  cnn_large: { ...LARGE, filters: [...LARGE.filters], style: 'tf2', seed: 5, numShards: 2 },
};

/** `n` NHWC images of values in [-1, 1), determined by `seed`. */
function images(n: number, h: number, w: number, c: number, seed: number): number[][][][] {
  const flat = new Float32Array(n * h * w * c);
  fillRandom(flat, seed, 1);
  let at = 0;
  const next = () => flat[at++]!;
  return Array.from({ length: n }, () =>
    Array.from({ length: h }, () =>
      Array.from({ length: w }, () => Array.from({ length: c }, next)),
    ),
  );
}

const weightBytes = (params: CnnParams) =>
  [...params.convs, ...params.denses].reduce(
    (n, l) => n + l.kernel.byteLength + l.bias.byteLength,
    0,
  );

describe('synthetic CNN SavedModels (Conv2D, MaxPool, Reshape, Softmax)', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  const params: Record<string, CnnParams> = {};

  beforeAll(async () => {
    base = await tempDir('saved-model-cnn');
    for (const [name, options] of Object.entries(MODELS)) {
      params[name] = await writeCnnSavedModel(join(base.path, name, '1'), options);
    }
    serving = await startServingApp({
      models: Object.keys(MODELS).map((name) => ({ name, basePath: join(base.path, name) })),
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  const predict = async (model: string, instances: number[][][][]) => {
    const res = await post(
      `${serving.url}/v1/models/${model}:predict`,
      JSON.stringify({ instances }),
    );
    expect(res.status).toBe(200);
    return res.json.predictions as number[][];
  };

  it.each(['cnn_tf1', 'cnn_tf2'])('%s answers as its weights compute', async (model) => {
    const x = images(2, SMALL.height, SMALL.width, SMALL.channels, 11);
    const predictions = await predict(model, x);
    const expected = cnnForward(params[model]!, x);
    expect(predictions).toHaveLength(2);
    predictions.forEach((row, r) => {
      expect(row).toHaveLength(SMALL.classes);
      row.forEach((v, j) => expect(Math.abs(v - expected[r]![j]!)).toBeLessThan(1e-4));
    });
  });

  it('loads a CNN of over 20 MB of weights and answers', async () => {
    expect(weightBytes(params.cnn_large!)).toBeGreaterThan(20 * 2 ** 20);
    const x = images(2, LARGE.height, LARGE.width, LARGE.channels, 12);
    const predictions = await predict('cnn_large', x);
    const expected = cnnForward(params.cnn_large!, x);
    predictions.forEach((row, r) => {
      expect(row).toHaveLength(LARGE.classes);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      row.forEach((v, j) => expect(Math.abs(v - expected[r]![j]!)).toBeLessThan(1e-4));
    });
  });
});
