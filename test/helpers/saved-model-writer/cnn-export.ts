import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckpointWriterOptions, writeCheckpoint } from './checkpoint-writer.js';
import { tf1CnnGraph, tf2CnnGraph } from './cnn-graph.js';
import { type CnnParams, type CnnShape, cnnVariables, makeCnnParams } from './cnn-model.js';
import { encodeSavedModel } from './saved-model-pb.js';

export { cnnForward, type CnnParams, type CnnShape } from './cnn-model.js';

export interface CnnExportOptions extends CnnShape, CheckpointWriterOptions {
  /** TF1 (`VariableV2`, `Assign(var, RestoreV2:k)`) or TF2 (resource variables, functions). */
  style?: 'tf1' | 'tf2';
  /** Seed of the deterministic weights. @defaultValue 1 */
  seed?: number;
}

const bytesOf = (values: Float32Array) =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/**
 * Writes a SavedModel of a small image classifier (no Python TensorFlow needed): per entry of
 * `filters` a Conv2D (SAME, stride 1) + BiasAdd + Relu + MaxPool 2x2, then Flatten (Reshape),
 * an optional hidden Dense + Relu, a Dense to `classes` and Softmax. `serving_default` takes
 * NHWC float `x` of shape `[-1, height, width, channels]`. Returns the weights it saved.
 */
export async function writeCnnSavedModel(
  dir: string,
  options: CnnExportOptions,
): Promise<CnnParams> {
  const {
    style = 'tf1',
    seed = 1,
    height,
    width,
    channels,
    filters,
    kernel,
    dense,
    classes,
  } = options;
  const params = makeCnnParams({ height, width, channels, filters, kernel, dense, classes }, seed);
  const vars = cnnVariables(params, style);
  await mkdir(dir, { recursive: true });
  const graph = style === 'tf1' ? tf1CnnGraph(params, vars) : tf2CnnGraph(params, vars);
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
  await writeCheckpoint(
    join(dir, 'variables'),
    vars.map((v) => ({ key: v.key, dtype: 'DT_FLOAT', shape: v.dims, data: bytesOf(v.values) })),
    options,
  );
  return params;
}
