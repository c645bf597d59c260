import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CheckpointWriterOptions,
  type SavedTensor,
  writeCheckpoint,
} from './checkpoint-writer.js';
import { variablesOf } from './mlp-variables.js';
import { tf1Graph } from './tf1-mlp-graph.js';
import { tf2Graph } from './tf2-mlp-graph.js';
import { encodeSavedModel } from './saved-model-pb.js';

/** One dense layer's values: kernel [in, out] row-major, bias [out]. */
export interface DenseWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

export interface MlpExportOptions extends CheckpointWriterOptions {
  /** Layer widths, input first: `[4, 8, 3]` is 4 → 8 (ReLU) → 3. */
  layers: readonly number[];
  /** TF1 (`VariableV2`, `Assign(var, RestoreV2:k)`) or TF2 (resource variables, functions). */
  style?: 'tf1' | 'tf2';
  /** Seed of the deterministic weights. @defaultValue 1 */
  seed?: number;
}

/** Deterministic pseudo-random floats in [-scale, scale) (mulberry32). */
function fill(values: Float32Array, seed: number, scale: number): void {
  let a = seed >>> 0;
  for (let i = 0; i < values.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
}

function makeWeights(layers: readonly number[], seed: number): DenseWeights[] {
  return layers.slice(1).map((out, i) => {
    const inp = layers[i]!;
    const kernel = new Float32Array(inp * out);
    const bias = new Float32Array(out);
    fill(kernel, seed * 1000 + 2 * i, Math.sqrt(6 / (inp + out)));
    fill(bias, seed * 1000 + 2 * i + 1, 0.1);
    return { kernel, bias };
  });
}

/** The exported MLP's answer, computed in plain JS (float64), for checking the served one. */
export function mlpForward(weights: readonly DenseWeights[], x: readonly number[][]): number[][] {
  let rows = x.map((r) => [...r]);
  weights.forEach(({ kernel, bias }, layer) => {
    const out = bias.length;
    const inp = kernel.length / out;
    rows = rows.map((row) =>
      Array.from({ length: out }, (_, j) => {
        let sum = bias[j]!;
        for (let k = 0; k < inp; k++) sum += row[k]! * kernel[k * out + j]!;
        return layer < weights.length - 1 ? Math.max(0, sum) : sum;
      }),
    );
  });
  return rows;
}

const bytesOf = (values: Float32Array) =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/**
 * Writes a SavedModel of a dense ReLU network (no Python TensorFlow needed): `saved_model.pb`
 * plus its variables checkpoint, in TF1 or TF2 style. Returns the weights it saved.
 */
export async function writeMlpSavedModel(
  dir: string,
  options: MlpExportOptions,
): Promise<DenseWeights[]> {
  const { layers, style = 'tf1', seed = 1 } = options;
  const weights = makeWeights(layers, seed);
  const vars = variablesOf(layers, style);
  await mkdir(dir, { recursive: true });
  const graph = style === 'tf1' ? tf1Graph(layers, vars) : tf2Graph(layers, vars);
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
  const tensors: SavedTensor[] = vars.map((v, k) => ({
    key: v.key,
    dtype: 'DT_FLOAT',
    shape: v.dims,
    data: bytesOf(k % 2 === 0 ? weights[k >> 1]!.kernel : weights[k >> 1]!.bias),
  }));
  await writeCheckpoint(join(dir, 'variables'), tensors, options);
  return weights;
}
