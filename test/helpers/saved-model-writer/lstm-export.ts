import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCheckpoint } from './checkpoint-writer.js';
import { fillRandom } from './cnn-model.js';
import {
  LSTM_VARIABLE_KEYS,
  type LstmGraphOptions,
  type LstmShape,
  tf2LstmGraph,
} from './lstm-graph.js';
import { encodeSavedModel } from './saved-model-pb.js';

export { type LstmShape } from './lstm-graph.js';

/** The LSTM's weights, as Keras lays them out (gates i, f, c, o side by side). */
export interface LstmWeights extends LstmShape {
  /** `[features, 4 * units]`, row-major. */
  readonly kernel: Float32Array;
  /** `[units, 4 * units]`, row-major. */
  readonly recurrent: Float32Array;
  /** `[4 * units]`. */
  readonly bias: Float32Array;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * The exported LSTM's answer (`[batch, steps, units]`: h after every step, from zero state),
 * computed in plain JS (float64), for checking the served one.
 */
export function lstmForward(w: LstmWeights, x: readonly (readonly number[][])[]): number[][][] {
  const { units: u, features } = w;
  return x.map((sequence) => {
    let h = new Array<number>(u).fill(0);
    let c = new Array<number>(u).fill(0);
    return sequence.map((step) => {
      const z = Array.from({ length: 4 * u }, (_, j) => {
        let sum = w.bias[j]!;
        for (let k = 0; k < features; k++) sum += step[k]! * w.kernel[k * 4 * u + j]!;
        for (let k = 0; k < u; k++) sum += h[k]! * w.recurrent[k * 4 * u + j]!;
        return sum;
      });
      c = c.map((prev, j) => sigmoid(z[u + j]!) * prev + sigmoid(z[j]!) * Math.tanh(z[2 * u + j]!));
      h = c.map((cj, j) => sigmoid(z[3 * u + j]!) * Math.tanh(cj));
      return h;
    });
  });
}

const bytesOf = (values: Float32Array) =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/**
 * Writes a TF2 SavedModel of one Keras-style `LSTM(units, return_sequences=True)` layer (a
 * `StatelessWhile` over TensorLists, see `tf2LstmGraph`) with deterministic weights from
 * `seed` (`options` as `tf2LstmGraph` takes them): `serving_default` takes float `x`
 * `[-1, steps, features]`. Returns the weights.
 */
export async function writeLstmSavedModel(
  dir: string,
  shape: LstmShape,
  seed = 1,
  options: LstmGraphOptions = {},
): Promise<LstmWeights> {
  const { features, units } = shape;
  const weights: LstmWeights = {
    ...shape,
    kernel: new Float32Array(features * 4 * units),
    recurrent: new Float32Array(units * 4 * units),
    bias: new Float32Array(4 * units),
  };
  fillRandom(weights.kernel, seed * 100 + 1, Math.sqrt(6 / (features + 4 * units)));
  fillRandom(weights.recurrent, seed * 100 + 2, Math.sqrt(6 / (5 * units)));
  fillRandom(weights.bias, seed * 100 + 3, 0.5);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(tf2LstmGraph(shape, options)));
  const values = [weights.kernel, weights.recurrent, weights.bias];
  const dims = [[features, 4 * units], [units, 4 * units], [4 * units]];
  await writeCheckpoint(
    join(dir, 'variables'),
    LSTM_VARIABLE_KEYS.map((key, k) => ({
      key,
      dtype: 'DT_FLOAT',
      shape: dims[k]!,
      data: bytesOf(values[k]!),
    })),
  );
  return weights;
}
