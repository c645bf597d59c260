import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadGraphModel } from '@tensorflow/tfjs-converter';

import { HALF_PLUS_TWO_WEIGHTS, writeHalfPlusTwo } from './half-plus-two.js';
import { fileLoadHandler, readModelJson } from './model-io.js';
import { tf, useCpuBackend } from './tf.js';

describe('half_plus_two sample model', () => {
  let dir: string;

  beforeAll(async () => {
    tf.enableProdMode();
    await useCpuBackend();
    dir = await mkdtemp(join(tmpdir(), 'half-plus-two-'));
    await writeHalfPlusTwo(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes model.json and a single weights shard', async () => {
    expect((await readdir(dir)).sort()).toEqual([HALF_PLUS_TWO_WEIGHTS, 'model.json']);
  });

  it('describes a converted graph model with the x -> y signature', async () => {
    const json = await readModelJson(dir);
    const vector = { dim: [{ size: '-1' }] };
    expect(json.format).toBe('graph-model');
    expect(json.convertedBy).toMatch(/^TensorFlow\.js Converter v/);
    expect(json.signature).toEqual({
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: vector } },
      outputs: { y: { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: vector } },
    });
    expect(json.weightsManifest).toEqual([
      {
        paths: [HALF_PLUS_TWO_WEIGHTS],
        weights: [
          { name: 'a', shape: [], dtype: 'float32' },
          { name: 'b', shape: [], dtype: 'float32' },
        ],
      },
    ]);
    const nodes = (json.modelTopology as { node: { name: string; op: string }[] }).node;
    expect(nodes.map((n) => [n.name, n.op])).toEqual([
      ['x', 'Placeholder'],
      ['a', 'Const'],
      ['b', 'Const'],
      ['mul', 'Mul'],
      ['y', 'AddV2'],
    ]);
  });

  it('loads with tfjs-converter and computes 0.5 * x + 2', async () => {
    const model = await loadGraphModel(fileLoadHandler(dir));
    try {
      expect(model.inputs.map((t) => t.name)).toEqual(['x']);
      expect(model.outputs.map((t) => t.name)).toEqual(['y']);
      const xs = [-4, 0, 1, 2, 5, 1000.5];
      const input = tf.tensor1d(xs);
      const output = model.predict(input) as tf.Tensor;
      const ys = Array.from(await output.data());
      input.dispose();
      output.dispose();
      expect(output.shape).toEqual([xs.length]);
      xs.forEach((x, i) => expect(ys[i]).toBeCloseTo(0.5 * x + 2, 5));

      const three = tf.tensor1d([3]);
      const named = model.execute({ x: three }, 'y') as tf.Tensor;
      expect(Array.from(await named.data())).toEqual([3.5]);
      three.dispose();
      named.dispose();
    } finally {
      model.dispose();
    }
  });
});
