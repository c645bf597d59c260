import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { ROOT } from './helpers/paths.js';
import {
  type DenseWeights,
  mlpForward,
  writeMlpSavedModel,
} from './helpers/saved-model-writer/mlp-export.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** 2048 → 4096 → 4096 → 1024 → 10: 29.4 M float32 parameters, 113 MB of variables. */
const LAYERS = [2048, 4096, 4096, 1024, 10];
const MODEL_MB =
  (LAYERS.slice(1).reduce((n, out, i) => n + (LAYERS[i]! + 1) * out, 0) * 4) / 2 ** 20;

interface Measured {
  loadMs: number;
  baselineRssMb: number;
  peakRssMb: number;
  backend: string;
}

describe('a SavedModel over 100 MB', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let weights: DenseWeights[];

  beforeAll(async () => {
    base = await tempDir('saved-model-large');
    weights = await writeMlpSavedModel(join(base.path, 'mlp', '1'), {
      layers: LAYERS,
      numShards: 2,
    });
  }, 120_000);

  afterAll(async () => {
    await base.cleanup();
  });

  it.each(['cpu', 'wasm'])(
    'loads on %s in a fresh process within bounds of time and memory',
    async (backend) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'test/helpers/saved-model-writer/measure-load.ts'),
          join(base.path, 'mlp', '1'),
          backend,
        ],
        { cwd: ROOT, maxBuffer: 1 << 20 },
      );
      const measured = JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
      process.stdout.write(
        `SavedModel of ${MODEL_MB.toFixed(0)} MB on ${backend}: loaded in ${measured.loadMs} ms, peak RSS ${measured.peakRssMb} MB (${measured.baselineRssMb} MB before loading)\n`,
      );
      expect(measured.loadMs).toBeLessThan(60_000);
      // The values live once in tfjs; loading adds at most a few copies of the largest weight.
      expect(measured.peakRssMb - measured.baselineRssMb).toBeLessThan(4 * MODEL_MB);
    },
    120_000,
  );

  describe('served', () => {
    let serving: ServingApp;

    beforeAll(async () => {
      serving = await startServingApp({
        models: [{ name: 'mlp', basePath: join(base.path, 'mlp') }],
        pollIntervalMs: 0,
        maxLoadRetries: 0,
      });
    }, 120_000);

    afterAll(async () => {
      await serving.app.close();
    });

    it('answers as its weights compute', async () => {
      const x = [0, 1].map((row) =>
        Array.from({ length: LAYERS[0]! }, (_, i) => Math.sin(i * 0.37 + row)),
      );
      const res = await post(
        `${serving.url}/v1/models/mlp:predict`,
        JSON.stringify({ instances: x }),
      );
      expect(res.status).toBe(200);
      const expected = mlpForward(weights, x);
      (res.json.predictions as number[][]).forEach((row, r) =>
        row.forEach((v, j) => expect(v).toBeCloseTo(expected[r]![j]!, 3)),
      );
    });
  });
});
