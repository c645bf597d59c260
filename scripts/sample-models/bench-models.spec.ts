/**
 * @jest-environment ./test/single-realm.environment.mjs
 */
// onnxruntime-node makes its output arrays in the main realm (see that environment's comment).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';

import {
  BENCH_INPUT,
  BENCH_MODELS,
  BENCH_OUTPUT,
  BENCH_WEIGHTS,
  benchInput,
  type BenchModelName,
  writeBenchModel,
} from './bench-models.js';
import { fileLoadHandler } from './model-io.js';
import { tf, useCpuBackend } from './tf.js';

const ROWS = 4;

describe('bench models', () => {
  let dir: string;

  beforeAll(async () => {
    tf.enableProdMode();
    await useCpuBackend();
    dir = await mkdtemp(join(tmpdir(), 'bench-models-'));
    for (const name of Object.keys(BENCH_MODELS) as BenchModelName[]) {
      await writeBenchModel(name, join(dir, name));
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function tfjsOutput(name: BenchModelName, x: Float32Array): Promise<Float32Array> {
    const model = await tfl.loadLayersModel(fileLoadHandler(join(dir, name)));
    const input = tf.tensor(x, [ROWS, ...BENCH_MODELS[name].inputShape]);
    try {
      expect(model.inputNames).toEqual([BENCH_INPUT]);
      expect(model.outputNames).toEqual([BENCH_OUTPUT]);
      const output = model.predict(input) as tf.Tensor;
      const values = (await output.data()) as Float32Array;
      output.dispose();
      return values;
    } finally {
      input.dispose();
      model.dispose();
    }
  }

  async function onnxOutput(name: BenchModelName, x: Float32Array): Promise<Float32Array> {
    const session = await ort.InferenceSession.create(join(dir, name, 'model.onnx'));
    try {
      expect(session.inputNames).toEqual([BENCH_INPUT]);
      expect(session.outputNames).toEqual([BENCH_OUTPUT]);
      const input = new ort.Tensor('float32', x, [ROWS, ...BENCH_MODELS[name].inputShape]);
      const out = await session.run({ [BENCH_INPUT]: input });
      const y = out[BENCH_OUTPUT]!;
      expect(y.dims).toEqual([ROWS, 10]);
      return Float32Array.from(y.data as Float32Array);
    } finally {
      await session.release();
    }
  }

  it('writes a layers model and an ONNX file per architecture', async () => {
    expect((await readdir(join(dir, 'mlp_tfjs'))).sort()).toEqual(['model.json', BENCH_WEIGHTS]);
    expect((await readdir(join(dir, 'cnn_tfjs'))).sort()).toEqual(['model.json', BENCH_WEIGHTS]);
    expect(await readdir(join(dir, 'mlp_onnx'))).toEqual(['model.onnx']);
    expect(await readdir(join(dir, 'cnn_onnx'))).toEqual(['model.onnx']);
  });

  it.each([['mlp'], ['cnn']])(
    '%s: tfjs and ONNX Runtime agree within 1e-4 on the same NHWC input',
    async (arch) => {
      const x = benchInput(`${arch}_tfjs` as BenchModelName, ROWS);
      const expected = await tfjsOutput(`${arch}_tfjs` as BenchModelName, x);
      const actual = await onnxOutput(`${arch}_onnx` as BenchModelName, x);
      expect(actual).toHaveLength(ROWS * 10);
      const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
      expect(worst).toBeLessThan(1e-4);
      // A softmax that is not saturated: engines that disagree would show here.
      for (let r = 0; r < ROWS; r++) {
        const row = Array.from(expected.subarray(r * 10, r * 10 + 10));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(Math.max(...row)).toBeLessThan(0.99);
      }
    },
  );

  it('builds the same bytes twice (seeded, deterministic)', async () => {
    const again = join(dir, 'again');
    await writeBenchModel('cnn_onnx', again);
    expect(await readFile(join(again, 'model.onnx'))).toEqual(
      await readFile(join(dir, 'cnn_onnx', 'model.onnx')),
    );
  });
});
