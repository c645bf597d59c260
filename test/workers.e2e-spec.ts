import { type LoggerService } from '@nestjs/common';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LoadContext,
  type ModelExecutor,
  type ModelLoader,
  OnnxModelLoader,
  SavedModelLoader,
} from 'nest-model-serving';
import { TfjsModelLoader } from '../libs/model-serving/src/engines/tfjs/tfjs.loader.js';
import { mlpForward as onnxForward, writeOnnxMlp } from '../scripts/sample-models/onnx-mlp.js';
// The first suite drives the plug-in as the registry does (create → warm-up → run); the second
// runs a real app with `workers: 2`.
import {
  createWorkerPoolPlugin,
  type WorkerPoolPlugin,
} from '../libs/model-serving/src/workers/worker-pool.plugin.js';
import { ensureKernels } from '../libs/model-serving/src/models/kernel-check.js';
import { type ServingPipeline } from '../libs/model-serving/src/models/executor-plugin.js';
import { MODEL_SERVING_PIPELINE } from '../libs/model-serving/src/module/model-serving.constants.js';
import { type WorkerPool } from '../libs/model-serving/src/workers/worker-pool.js';
import { post } from './helpers/http.js';
import { irisMath } from './helpers/iris-math.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp, type ServingApp } from './helpers/serving-app.js';
import { sequentialMath, writeSequentialModel } from './helpers/layers-models.js';
import { tempDir } from './helpers/model-dirs.js';
import { mlpForward, writeMlpSavedModel } from './helpers/saved-model-writer/mlp-export.js';

const QUIET: LoggerService = { log() {}, error() {}, warn() {} };
const ONNX_LAYERS = [4, 8, 3];
const ROWS = [
  [1, 2, 3, 4],
  [-1, 0.5, 0, 2],
];

const matrix = (rows: readonly (readonly number[])[]) => ({
  dtype: 'float32' as const,
  shape: [rows.length, rows[0]!.length],
  data: Float32Array.from(rows.flat()),
});

describe('inference in worker threads (the worker-pool plug-in)', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let plugin: WorkerPoolPlugin;
  let savedWeights: Awaited<ReturnType<typeof writeMlpSavedModel>>;

  beforeAll(async () => {
    base = await tempDir('workers');
    await writeSequentialModel(join(base.path, 'sequential', '1'));
    savedWeights = await writeMlpSavedModel(join(base.path, 'saved', '1'), { layers: [4, 8, 3] });
    await writeOnnxMlp(join(base.path, 'onnx', '1'), ONNX_LAYERS);
    plugin = createWorkerPoolPlugin({ workers: 2 }, QUIET) as WorkerPoolPlugin;
  });

  afterAll(async () => {
    await plugin?.close();
    await base?.cleanup();
  });

  /** What the registry does with a version: the plug-in builds it, then warm-up and kernel check. */
  async function load(loader: ModelLoader, name: string): Promise<ModelExecutor> {
    const directory = join(base.path, name, '1');
    const context: LoadContext = {
      modelName: name,
      version: 1,
      directory,
      files: await readdir(directory),
      backend: 'auto',
    };
    const executor = await plugin.create(loader, context);
    expect(executor).toBeDefined();
    await loader.warmup?.(context, executor!);
    await ensureKernels(executor!, 'auto', `model '${name}' version 1`, QUIET as never);
    return executor!;
  }

  const values = (tensor: { data: unknown } | undefined) => {
    expect(tensor?.data).toBeInstanceOf(Float32Array);
    return Array.from(tensor!.data as Float32Array);
  };

  it('serves a tfjs layers model with the values it computes in process', async () => {
    const executor = await load(new TfjsModelLoader(), 'sequential');
    try {
      const rows = [
        [1, 2, 3],
        [0, -1, 4],
      ];
      const [input] = Object.keys(executor.signatures['serving_default']!.inputs);
      const result = await executor.run('serving_default', { [input!]: matrix(rows) });
      const got = values(Object.values(result)[0]);
      rows.forEach((row, i) => expect(got[i]).toBeCloseTo(sequentialMath(row), 5));
    } finally {
      await executor.dispose();
    }
  });

  it('serves a SavedModel translated once on the main thread', async () => {
    const executor = await load(new SavedModelLoader(), 'saved');
    try {
      const signature = executor.signatures['serving_default']!;
      const [input] = Object.keys(signature.inputs);
      const [output] = Object.keys(signature.outputs);
      const result = await executor.run('serving_default', { [input!]: matrix(ROWS) });
      const got = values(result[output!]);
      const expected = mlpForward(savedWeights, ROWS).flat();
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    } finally {
      await executor.dispose();
    }
  });

  it('serves an ONNX model, one session per worker', async () => {
    const executor = await load(new OnnxModelLoader(), 'onnx');
    try {
      const { y } = await executor.run('serving_default', { x: matrix(ROWS) });
      const expected = onnxForward(ONNX_LAYERS, ROWS).flat();
      values(y).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    } finally {
      await executor.dispose();
    }
  });

  it('unloads a version from every worker, and its tensors with it', async () => {
    const pool = () => plugin.workerPool!;
    const executors = [
      await load(new TfjsModelLoader(), 'sequential'),
      await load(new SavedModelLoader(), 'saved'),
    ];
    const loaded = await pool().stats();
    expect(loaded.map((s) => s?.versions.length)).toEqual([2, 2]);
    for (const s of loaded) expect(s!.numTensors).toBeGreaterThan(0);
    for (const executor of executors) await executor.dispose();
    const after = await pool().stats();
    expect(after.map((s) => s?.versions.length)).toEqual([0, 0]);
    expect(after.map((s) => s?.numTensors)).toEqual([0, 0]);
  });

  it('keeps serving through a killed worker, and on both workers once its replacement has reloaded', async () => {
    const executor = await load(new OnnxModelLoader(), 'onnx');
    try {
      const before = await executor.run('serving_default', { x: matrix(ROWS) });
      await plugin.workerPool!.terminateWorker(1);
      // Served by the other worker meanwhile, and by both once the replacement has reloaded.
      const during = await executor.run('serving_default', { x: matrix(ROWS) });
      expect(values(during.y)).toEqual(values(before.y));
      const until = Date.now() + 20_000;
      while ((await plugin.workerPool!.stats()).some((s) => s?.versions.length !== 1)) {
        if (Date.now() > until)
          throw new Error('the replacement worker did not reload the version');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const after = await Promise.all(
        [0, 1, 2, 3].map(() => executor.run('serving_default', { x: matrix(ROWS) })),
      );
      for (const result of after) expect(values(result.y)).toEqual(values(before.y));
    } finally {
      await executor.dispose();
    }
  });
});

describe('an app with workers: 2', () => {
  let serving: ServingApp;
  let pool: WorkerPool;

  beforeAll(async () => {
    serving = await startServingApp({
      pollIntervalMs: 0,
      workers: 2,
      models: [
        { name: 'iris', basePath: join(SAMPLE_MODELS, 'iris'), versionPolicy: { specific: [2] } },
      ],
    });
    const pipeline = serving.app.get<ServingPipeline>(MODEL_SERVING_PIPELINE);
    const plugin = pipeline.plugins.find((p) => p.name === 'worker-pool') as WorkerPoolPlugin;
    pool = plugin.workerPool!;
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  const predict = (rows: number[][]) =>
    post(
      `${serving.url}/v1/models/iris:predict`,
      JSON.stringify({ instances: rows }),
      'application/json',
    );

  it('answers from both workers with the values the network computes', async () => {
    const rows = [
      [5.1, 3.5, 1.4, 0.2],
      [6.7, 3.1, 4.7, 1.5],
    ];
    const answers = await Promise.all([0, 1, 2, 3].map(() => predict(rows)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      (answer.json.predictions as number[][]).forEach((row, i) =>
        row.forEach((v, j) => expect(v).toBeCloseTo(irisMath(2, rows)[i]![j]!, 5)),
      );
    }
    expect((await pool.stats()).map((s) => s?.versions.length)).toEqual([1, 1]);
  });

  it('fails the calls a killed worker held with 503 at once, and serves on', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => [i % 7, (i % 5) / 2, 1, 0.5]);
    const burst = Array.from({ length: 12 }, () => {
      const sent = Date.now();
      return predict(big).then((answer) => ({ answer, ms: Date.now() - sent }));
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await pool.terminateWorker(0);
    const settled = await Promise.all(burst);
    const statuses = settled.map((s) => s.answer.status);
    // Every call settles: answered by the live worker, or refused for the dead one.
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    const refused = settled.filter((s) => s.answer.status === 503);
    const answered = settled.filter((s) => s.answer.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThan(0);
    for (const { answer } of refused) expect(answer.json.error).toMatch(/worker thread 0/);
    // Refused when the worker died, not after the others' work: they never wait for it.
    const firstAnswer = Math.min(...answered.map((s) => s.ms));
    for (const { ms } of refused) expect(ms).toBeLessThan(firstAnswer);
    const after = await predict([[5.1, 3.5, 1.4, 0.2]]);
    expect(after.status).toBe(200);
    const until = Date.now() + 20_000;
    while ((await pool.stats()).some((s) => s?.versions.length !== 1)) {
      if (Date.now() > until) throw new Error('the replacement worker did not reload the version');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
