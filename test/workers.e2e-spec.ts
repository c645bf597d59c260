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
// TODO(workers): through `ModelServingModule.forRoot({ workers: 2 })` once the module wires the
// plug-in; until then the suite drives the plug-in as the registry does (create → warm-up → run).
import {
  createWorkerPoolPlugin,
  type WorkerPoolPlugin,
} from '../libs/model-serving/src/workers/worker-pool.plugin.js';
import { ensureKernels } from '../libs/model-serving/src/models/kernel-check.js';
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
