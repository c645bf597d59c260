import { type LoggerService } from '@nestjs/common';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHalfPlusTwo } from '../../../../scripts/sample-models/half-plus-two.js';
import { mlpForward, writeOnnxMlp } from '../../../../scripts/sample-models/onnx-mlp.js';
import { DeadlineExceededError } from '../errors/deadline-exceeded.error.js';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { OnnxModelLoader } from '../engines/onnx/onnx.loader.js';
import { TfjsModelLoader } from '../engines/tfjs/tfjs.loader.js';
import { type RunTrace } from '../models/model.executor.js';
import { type LoadContext, type ModelLoader } from '../models/model.loader.js';
import { WorkerExecutor } from './worker-executor.js';
import { WorkerFailedError } from '../errors/worker-failed.error.js';
import { createWorkerPoolPlugin, WorkerPoolPlugin } from './worker-pool.plugin.js';

const LAYERS = [4, 8, 3];
const QUIET: LoggerService = { log() {}, error() {}, warn() {} };

const SLOW_LOADER = `
const spec = { name: 'ms', dtype: 'float32', shape: [1] };
export class SlowLoader {
  format = 'slow';
  detect() { return true; }
  async load() {
    return {
      backend: 'sleep',
      signatures: { serving_default: { methodName: 'tensorflow/serving/predict', inputs: { ms: spec }, outputs: { ms: spec } } },
      async run(signature, inputs) {
        await new Promise((resolve) => setTimeout(resolve, inputs.ms.data[0]));
        return { ms: inputs.ms };
      },
      dispose() {},
    };
  }
}
`;

async function contextOf(modelName: string, directory: string): Promise<LoadContext> {
  return { modelName, version: 1, directory, files: await readdir(directory), backend: 'auto' };
}

function floats(values: readonly number[]) {
  return { dtype: 'float32' as const, shape: [values.length], data: Float32Array.from(values) };
}

describe('WorkerPoolPlugin (real worker threads)', () => {
  let dir: string;
  let plugin: WorkerPoolPlugin;
  const tfjs = new TfjsModelLoader();
  const onnx = new OnnxModelLoader();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'worker-pool-'));
    await writeHalfPlusTwo(join(dir, 'hpt'));
    await writeOnnxMlp(join(dir, 'mlp'), LAYERS);
    await mkdir(join(dir, 'slow'));
    await writeFile(join(dir, 'slow-loader.mjs'), SLOW_LOADER);
    plugin = new WorkerPoolPlugin(2, QUIET);
  });

  afterAll(async () => {
    await plugin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A custom loader the workers rebuild from `workerModule`: it sleeps `ms` per request. */
  const slowLoader = (): ModelLoader =>
    Object.assign(Object.create(TfjsModelLoader.prototype) as ModelLoader, {
      format: 'slow',
      workerModule: { path: join(dir, 'slow-loader.mjs'), export: 'SlowLoader' },
    });

  const create = async (loader: ModelLoader, name: string) => {
    const executor = await plugin.create(loader, await contextOf(name, join(dir, name)));
    expect(executor).toBeInstanceOf(WorkerExecutor);
    return executor as WorkerExecutor;
  };

  it('answers with 0 workers: no plug-in', () => {
    expect(createWorkerPoolPlugin({ workers: 0 })).toBeUndefined();
    expect(createWorkerPoolPlugin({ workers: 2 })).toBeInstanceOf(WorkerPoolPlugin);
  });

  it('runs a tfjs graph model in every worker, with the engine time in the trace', async () => {
    const executor = await create(tfjs, 'hpt');
    try {
      expect(executor.workers).toBe(2);
      expect(Object.keys(executor.signatures)).toEqual(['serving_default']);
      const traces: RunTrace[] = [];
      const results = await Promise.all(
        [1, 2, 3, 4].map((x) => {
          const trace: RunTrace = {};
          traces.push(trace);
          return executor.run('serving_default', { x: floats([x, 2 * x]) }, undefined, { trace });
        }),
      );
      results.forEach((result, i) => {
        const y = result['y']!;
        expect(y.data).toBeInstanceOf(Float32Array);
        expect(Array.from(y.data as Float32Array)).toEqual([(i + 1) / 2 + 2, i + 1 + 2]);
      });
      for (const trace of traces) expect(trace.runMs).toBeGreaterThanOrEqual(0);
      const stats = await plugin.workerPool!.stats();
      expect(stats.map((s) => s?.versions.length)).toEqual([1, 1]);
    } finally {
      await executor.dispose();
    }
    const after = await plugin.workerPool!.stats();
    expect(after.map((s) => s?.versions.length)).toEqual([0, 0]);
    expect(after.map((s) => s?.numTensors)).toEqual([0, 0]);
  });

  it('runs an ONNX model in every worker', async () => {
    const executor = await create(onnx, 'mlp');
    try {
      expect(executor.backend).toBe('onnxruntime');
      const rows = [
        [1, 2, 3, 4],
        [-1, 0.5, 0, 2],
      ];
      const input = {
        dtype: 'float32' as const,
        shape: [2, 4],
        data: Float32Array.from(rows.flat()),
      };
      const { y } = await executor.run('serving_default', { x: input });
      const expected = mlpForward(LAYERS, rows).flat();
      const got = Array.from(y!.data as Float32Array);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    } finally {
      await executor.dispose();
    }
  });

  it('drops a request whose deadline has passed before sending it', async () => {
    const executor = await create(tfjs, 'hpt');
    try {
      const run = executor.run('serving_default', { x: floats([1]) }, undefined, {
        deadline: Date.now() - 1,
      });
      await expect(run).rejects.toBeInstanceOf(DeadlineExceededError);
    } finally {
      await executor.dispose();
    }
  });

  it('fails in-flight requests of a killed worker at once, then serves again after replacement', async () => {
    const executor = await create(slowLoader(), 'slow');
    const pool = plugin.workerPool!;
    const sleep = (ms: number) => executor.run('serving_default', { ms: floats([ms]) });
    try {
      // Least-loaded dispatch puts two of these on each worker.
      let settled = 0;
      let twoSettled!: () => void;
      const firstTwo = new Promise<void>((resolve) => (twoSettled = resolve));
      const inFlight = [1, 2, 3, 4].map(() =>
        sleep(3_000)
          .then(
            () => 'ok',
            (error: unknown) => error,
          )
          .finally(() => ++settled === 2 && twoSettled()),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await pool.terminateWorker(0);
      await firstTwo;
      expect(Date.now() - started).toBeLessThan(1_000);
      const outcomes = await Promise.all(inFlight);
      const failed = outcomes.filter((o) => o !== 'ok');
      expect(failed).toHaveLength(2);
      for (const failure of failed) {
        expect(failure).toBeInstanceOf(WorkerFailedError);
        expect((failure as WorkerFailedError).code).toBe(GrpcStatusCode.UNAVAILABLE);
      }
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
      expect(Date.now() - started).toBeGreaterThan(2_000);
      // The replacement reloads the version and joins the rotation.
      const deadline = Date.now() + 20_000;
      while (executor.workers < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(executor.workers).toBe(2);
      const again = await Promise.all([0, 0, 0, 0].map((ms) => sleep(ms)));
      for (const result of again)
        expect(Array.from(result['ms']!.data as Float32Array)).toEqual([0]);
    } finally {
      await executor.dispose();
    }
  });
});
