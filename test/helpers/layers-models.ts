import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useCpuBackend, writeLayersModel } from '../../scripts/sample-models/index.js';

// Layers models of every form a user brings, with weights chosen so that outputs are known math.

/** `tf.sequential()`: x[3] → Dense(2, relu, name 'hidden') → Dense(1, name 'out'). */
export const SEQUENTIAL = {
  hiddenKernel: [
    [1, -1],
    [2, 0],
    [0, 3],
  ],
  hiddenBias: [0.5, -1],
  outKernel: [[2], [-1]],
  outBias: [0.25],
};

/** What {@link writeSequentialModel} computes, in float32. */
export function sequentialMath(x: readonly number[]): number {
  const { hiddenKernel: k, hiddenBias: b, outKernel: o, outBias: ob } = SEQUENTIAL;
  const hidden = [0, 1].map((j) =>
    Math.max(
      0,
      x.reduce((sum, xi, i) => sum + xi * k[i]![j]!, b[j]!),
    ),
  );
  return Math.fround(hidden[0]! * o[0]![0]! + hidden[1]! * o[1]![0]! + ob[0]!);
}

async function saved(model: tfl.LayersModel, dir: string): Promise<void> {
  try {
    await writeLayersModel(model, dir, 'weights.bin');
  } finally {
    model.dispose();
  }
}

/** Writes a `tf.sequential()` model as TensorFlow.js saves it (`model.json` + weights). */
export async function writeSequentialModel(dir: string): Promise<void> {
  await useCpuBackend();
  const { hiddenKernel, hiddenBias, outKernel, outBias } = SEQUENTIAL;
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [3], units: 2, activation: 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 1, name: 'out' }),
    ],
  });
  model.setWeights([
    tf.tensor2d(hiddenKernel),
    tf.tensor1d(hiddenBias),
    tf.tensor2d(outKernel),
    tf.tensor1d(outBias),
  ]);
  await saved(model, dir);
}

/**
 * A functional model with two inputs and two outputs: `sum` = a₀ + a₁ + b₀ + b₁ (a Dense of ones
 * over their concatenation) and `scaled` = 2·a (a Dense with kernel 2·I).
 */
export async function writeMultiIoModel(dir: string): Promise<void> {
  await useCpuBackend();
  const a = tfl.input({ shape: [2], name: 'a' });
  const b = tfl.input({ shape: [2], name: 'b' });
  const joined = tfl.layers.concatenate({ name: 'joined' }).apply([a, b]) as tfl.SymbolicTensor;
  const sumLayer = tfl.layers.dense({ units: 1, useBias: false, name: 'sum' });
  const scaledLayer = tfl.layers.dense({ units: 2, useBias: false, name: 'scaled' });
  const sum = sumLayer.apply(joined) as tfl.SymbolicTensor;
  const scaled = scaledLayer.apply(a) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [a, b], outputs: [sum, scaled], name: 'multi_io' });
  sumLayer.setWeights([tf.ones([4, 1])]);
  scaledLayer.setWeights([
    tf.tensor2d([
      [2, 0],
      [0, 2],
    ]),
  ]);
  await saved(model, dir);
}

/**
 * A `model.json` as `tensorflowjs_converter` writes it for a Keras 2 `Sequential`: the topology
 * under `modelTopology.model_config` beside `keras_version`, an explicit `InputLayer` named
 * `dense_input`, Keras' snake_case configs and `dense/kernel`-style weight names. Computes
 * y = 3·x₀ − x₁ + 0.5 (one Dense, weights below), then a second Dense(1) that doubles it.
 */
export async function writeKerasConvertedModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dense = (name: string, units: number) => ({
    class_name: 'Dense',
    config: {
      name,
      trainable: true,
      dtype: 'float32',
      units,
      activation: 'linear',
      use_bias: true,
      kernel_initializer: {
        module: 'keras.initializers',
        class_name: 'GlorotUniform',
        config: { seed: null },
        registered_name: null,
      },
      bias_initializer: {
        module: 'keras.initializers',
        class_name: 'Zeros',
        config: {},
        registered_name: null,
      },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
  });
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.17.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            {
              class_name: 'InputLayer',
              config: {
                batch_input_shape: [null, 2],
                dtype: 'float32',
                sparse: false,
                ragged: false,
                name: 'dense_input',
              },
            },
            dense('dense', 1),
            dense('dense_1', 1),
          ],
        },
      },
      training_config: {
        loss: 'mean_squared_error',
        metrics: null,
        weighted_metrics: null,
        loss_weights: null,
        optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.001 } },
      },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'dense/kernel', shape: [2, 1], dtype: 'float32' },
          { name: 'dense/bias', shape: [1], dtype: 'float32' },
          { name: 'dense_1/kernel', shape: [1, 1], dtype: 'float32' },
          { name: 'dense_1/bias', shape: [1], dtype: 'float32' },
        ],
      },
    ],
  };
  const weights = Float32Array.from([3, -1, 0.5, 2, 0]);
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(weights.buffer));
}

/** What {@link writeKerasConvertedModel} computes. */
export const kerasConvertedMath = ([x0, x1]: readonly number[]): number =>
  Math.fround(2 * (3 * x0! - x1! + 0.5));

/**
 * A graph model whose one signature reshapes `x` (shape `shape`) to [-1, 2]: zeros of a fully
 * known odd size can never run, while with x: [-1] only the zeros fed at load (one element) fail.
 */
export async function writeReshapeModel(dir: string, shape: readonly number[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensorShape = { dim: shape.map((size) => ({ size: String(size) })) };
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'nest-model-serving tests',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: {
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape } },
      outputs: {
        pairs: {
          name: 'pairs:0',
          dtype: 'DT_FLOAT',
          tensorShape: { dim: [{ size: '-1' }, { size: '2' }] },
        },
      },
    },
    modelTopology: {
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: tensorShape } },
        },
        {
          name: 'target',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_INT32' },
            value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } },
          },
        },
        {
          name: 'pairs',
          op: 'Reshape',
          input: ['x', 'target'],
          attr: { T: { type: 'DT_FLOAT' }, Tshape: { type: 'DT_INT32' } },
        },
      ],
      library: {},
      versions: { producer: 1482, minConsumer: 12 },
    },
    weightsManifest: [
      { paths: ['weights.bin'], weights: [{ name: 'target', shape: [2], dtype: 'int32' }] },
    ],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(Int32Array.from([-1, 2]).buffer));
}
