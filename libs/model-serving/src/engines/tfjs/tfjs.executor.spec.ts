import { setTimeout as sleep } from 'node:timers/promises';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type SignatureDef } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { TfjsExecutor } from './tfjs.executor.js';

const SIGNATURE: SignatureDef = {
  methodName: 'tensorflow/serving/predict',
  inputs: { x: { name: 'x', dtype: 'float32', shape: [-1] } },
  outputs: { y: { name: 'y', dtype: 'float32', shape: [-1] } },
};

/**
 * Adds 1 to its input `steps` times. Asynchronously, it awaits a timer before each op, as
 * tfjs's `executeAsync` awaits between the ops of a graph with control flow, and records the
 * backend each op ran on.
 */
class StepsExecutor extends TfjsExecutor {
  readonly seen: string[] = [];

  constructor(
    private readonly steps: number,
    private readonly asynchronous: boolean,
  ) {
    super({ serving_default: SIGNATURE });
  }

  protected override get runsAsync(): boolean {
    return this.asynchronous;
  }

  protected compute(
    _signature: SignatureDef,
    feeds: Readonly<Record<string, tf.Tensor>>,
  ): tf.Tensor[] | Promise<tf.Tensor[]> {
    const step = (t: tf.Tensor) => {
      this.seen.push(tf.getBackend());
      return tf.add(t, 1);
    };
    if (!this.asynchronous) {
      let t = step(feeds['x']!);
      for (let i = 1; i < this.steps; i++) {
        const next = step(t);
        t.dispose();
        t = next;
      }
      return [t];
    }
    return (async () => {
      let t = tf.clone(feeds['x']!);
      for (let i = 0; i < this.steps; i++) {
        await sleep(1);
        const next = step(t);
        t.dispose();
        t = next;
      }
      return [t];
    })();
  }

  dispose(): void {}
}

const input = (values: number[]): Record<string, TensorData> => ({
  x: { dtype: 'float32', shape: [values.length], data: Float32Array.from(values) },
});

describe('TfjsExecutor on a backend other than the default', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('holds its backend through an asynchronous run while default-backend runs interleave', async () => {
    const fallback = new StepsExecutor(6, true);
    fallback.runOn('cpu');
    const onDefault = new StepsExecutor(3, false);
    const onDefaultAsync = new StepsExecutor(4, true);
    const numTensors = tf.memory().numTensors;

    const runs = Array.from({ length: 8 }, (_, i) => [
      fallback.run('serving_default', input([i, 10 * i])),
      onDefault.run('serving_default', input([i])),
      onDefaultAsync.run('serving_default', input([-i])),
    ]).flat();
    const results = await Promise.all(runs);

    for (let i = 0; i < 8; i++) {
      expect(Array.from(results[3 * i]!['y']!.data as Float32Array)).toEqual([i + 6, 10 * i + 6]);
      expect(Array.from(results[3 * i + 1]!['y']!.data as Float32Array)).toEqual([i + 3]);
      expect(Array.from(results[3 * i + 2]!['y']!.data as Float32Array)).toEqual([-i + 4]);
    }
    expect(new Set(fallback.seen)).toEqual(new Set(['cpu']));
    expect(new Set(onDefault.seen)).toEqual(new Set(['wasm']));
    expect(new Set(onDefaultAsync.seen)).toEqual(new Set(['wasm']));
    expect(fallback.seen).toHaveLength(8 * 6);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('switches synchronously for a run that finishes within one turn', async () => {
    const fallback = new StepsExecutor(2, false);
    fallback.runOn('cpu');
    const [result] = await Promise.all([
      fallback.run('serving_default', input([1])),
      new StepsExecutor(1, true).run('serving_default', input([1])),
    ]);
    expect(Array.from(result['y']!.data as Float32Array)).toEqual([3]);
    expect(fallback.seen).toEqual(['cpu', 'cpu']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
