// The models of `npm run bench`, each as a TensorFlow.js layers model and as an ONNX model with
// the same seeded weights, so that engines compare on identical arithmetic:
//   mlp_tfjs, mlp_onnx   784-512-512-10 MLP: relu, relu, softmax
//   cnn_tfjs, cnn_onnx   [n,28,28,1] → conv 3x3x8 relu → maxpool 2 → conv 3x3x16 relu → maxpool 2
//                        → flatten → dense 10 softmax
// Both formats take NHWC input: the ONNX CNN transposes to NCHW for its Conv nodes, then back to
// NHWC before Flatten, so its dense kernel is the tfjs one unchanged.
import * as tfl from '@tensorflow/tfjs-layers';

import { writeLayersModel } from './iris.js';
import { writeOnnxMlp } from './onnx-mlp.js';
import { ONNX_TYPE, type OnnxGraph, writeOnnxModel } from './onnx-writer.js';
import { tf, useCpuBackend } from './tf.js';

/** Layer sizes of the bench MLP. */
export const BENCH_MLP_LAYERS: readonly number[] = [784, 512, 512, 10];
/** The input shape of one CNN example (NHWC, batch dimension left out). */
export const BENCH_CNN_INPUT: readonly number[] = [28, 28, 1];
/** Name of every bench model's input and output (layer names in tfjs, value names in ONNX). */
export const BENCH_INPUT = 'x';
export const BENCH_OUTPUT = 'y';
/** The weights file of the tfjs layers models. */
export const BENCH_WEIGHTS = 'weights.bin';

/** The bench models by served name; `format` says which file a version directory holds. */
export const BENCH_MODELS = {
  mlp_tfjs: { format: 'tfjs', file: 'model.json', inputShape: [BENCH_MLP_LAYERS[0]!] },
  mlp_onnx: { format: 'onnx', file: 'model.onnx', inputShape: [BENCH_MLP_LAYERS[0]!] },
  cnn_tfjs: { format: 'tfjs', file: 'model.json', inputShape: BENCH_CNN_INPUT },
  cnn_onnx: { format: 'onnx', file: 'model.onnx', inputShape: BENCH_CNN_INPUT },
} as const;
export type BenchModelName = keyof typeof BENCH_MODELS;

/** A seeded uniform sequence in [-1, 1) (the LCG of `mlpWeights`, so runs are reproducible). */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  };
}

/**
 * Kernel then bias, uniform in ±1/√fanIn (the usual default initialisation), so activations
 * stay in range and the softmax is not saturated (a one-hot output would hide engine errors).
 */
function layerWeights(
  next: () => number,
  kernelSize: number,
  fanIn: number,
  units: number,
): [Float32Array, Float32Array] {
  const limit = 1 / Math.sqrt(fanIn);
  return [
    Float32Array.from({ length: kernelSize }, () => next() * limit),
    Float32Array.from({ length: units }, () => next() * limit),
  ];
}

/** The bench MLP's kernels ([in, out]) and biases, layer by layer. */
export function benchMlpWeights(seed = 11): Float32Array[] {
  const next = uniform(seed);
  const weights: Float32Array[] = [];
  for (let l = 1; l < BENCH_MLP_LAYERS.length; l++) {
    const fanIn = BENCH_MLP_LAYERS[l - 1]!;
    const units = BENCH_MLP_LAYERS[l]!;
    weights.push(...layerWeights(next, fanIn * units, fanIn, units));
  }
  return weights;
}

/** The bench CNN's weights in tfjs layouts: conv kernels [kh, kw, in, out], dense [in, out]. */
export interface CnnWeights {
  readonly conv1: [Float32Array, Float32Array];
  readonly conv2: [Float32Array, Float32Array];
  readonly dense: [Float32Array, Float32Array];
}

/** Spatial size after the two valid 3x3 convolutions and 2x2 pools: 28 → 26 → 13 → 11 → 5. */
const CNN_FLAT = 5 * 5 * 16;

/** The bench CNN's seeded weights. */
export function benchCnnWeights(seed = 13): CnnWeights {
  const next = uniform(seed);
  return {
    conv1: layerWeights(next, 3 * 3 * 1 * 8, 3 * 3 * 1, 8),
    conv2: layerWeights(next, 3 * 3 * 8 * 16, 3 * 3 * 8, 16),
    dense: layerWeights(next, CNN_FLAT * 10, CNN_FLAT, 10),
  };
}

/** The bench MLP as a tfjs layers model (input `x`, output layer `y`). */
export function buildTfjsMlp(weights = benchMlpWeights()): tfl.LayersModel {
  const input = tfl.input({ shape: [BENCH_MLP_LAYERS[0]!], name: BENCH_INPUT });
  let h: tfl.SymbolicTensor = input;
  for (let l = 1; l < BENCH_MLP_LAYERS.length; l++) {
    const last = l === BENCH_MLP_LAYERS.length - 1;
    h = tfl.layers
      .dense({
        units: BENCH_MLP_LAYERS[l]!,
        activation: last ? 'softmax' : 'relu',
        name: last ? BENCH_OUTPUT : `dense${l}`,
      })
      .apply(h) as tfl.SymbolicTensor;
  }
  const model = tfl.model({ inputs: input, outputs: h });
  setWeights(
    model,
    weights.map((w, i) =>
      i % 2 === 0
        ? tf.tensor2d(w, [BENCH_MLP_LAYERS[i / 2]!, BENCH_MLP_LAYERS[i / 2 + 1]!])
        : tf.tensor1d(w),
    ),
  );
  return model;
}

/** The bench CNN as a tfjs layers model (NHWC input `x`, output layer `y`). */
export function buildTfjsCnn(weights = benchCnnWeights()): tfl.LayersModel {
  const input = tfl.input({ shape: [...BENCH_CNN_INPUT], name: BENCH_INPUT });
  const layers = [
    tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' }),
    tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
    tfl.layers.flatten({ name: 'flatten' }),
    tfl.layers.dense({ units: 10, activation: 'softmax', name: BENCH_OUTPUT }),
  ];
  const output = layers.reduce<tfl.SymbolicTensor>(
    (h, layer) => layer.apply(h) as tfl.SymbolicTensor,
    input,
  );
  const model = tfl.model({ inputs: input, outputs: output });
  setWeights(model, [
    tf.tensor4d(weights.conv1[0], [3, 3, 1, 8]),
    tf.tensor1d(weights.conv1[1]),
    tf.tensor4d(weights.conv2[0], [3, 3, 8, 16]),
    tf.tensor1d(weights.conv2[1]),
    tf.tensor2d(weights.dense[0], [CNN_FLAT, 10]),
    tf.tensor1d(weights.dense[1]),
  ]);
  return model;
}

/** `model.setWeights` copies, so the source tensors are disposed here. */
function setWeights(model: tfl.LayersModel, tensors: tf.Tensor[]): void {
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** A tfjs conv kernel [kh, kw, in, out] in ONNX's Conv layout [out, in, kh, kw]. */
export function toOnnxKernel(kernel: Float32Array, kh: number, kw: number, cin: number) {
  const cout = kernel.length / (kh * kw * cin);
  const out = new Float32Array(kernel.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + h) * kw + w] = kernel[((h * kw + w) * cin + i) * cout + o]!;
  return out;
}

/** The bench CNN as an ONNX graph with NHWC input and output [batch, 10]. */
export function onnxCnnGraph(weights = benchCnnWeights()): OnnxGraph {
  const f = ONNX_TYPE.float;
  const pool = { kernel_shape: [2, 2], strides: [2, 2] };
  return {
    inputs: [{ name: BENCH_INPUT, type: f, shape: ['batch', ...BENCH_CNN_INPUT] }],
    outputs: [{ name: BENCH_OUTPUT, type: f, shape: ['batch', 10] }],
    initializers: [
      { name: 'w1', type: f, dims: [8, 1, 3, 3], data: toOnnxKernel(weights.conv1[0], 3, 3, 1) },
      { name: 'b1', type: f, dims: [8], data: weights.conv1[1] },
      { name: 'w2', type: f, dims: [16, 8, 3, 3], data: toOnnxKernel(weights.conv2[0], 3, 3, 8) },
      { name: 'b2', type: f, dims: [16], data: weights.conv2[1] },
      { name: 'wd', type: f, dims: [CNN_FLAT, 10], data: weights.dense[0] },
      { name: 'bd', type: f, dims: [10], data: weights.dense[1] },
    ],
    nodes: [
      { op: 'Transpose', inputs: ['x'], outputs: ['nchw'], attributes: { perm: [0, 3, 1, 2] } },
      {
        op: 'Conv',
        inputs: ['nchw', 'w1', 'b1'],
        outputs: ['c1'],
        attributes: { kernel_shape: [3, 3] },
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attributes: pool },
      {
        op: 'Conv',
        inputs: ['p1', 'w2', 'b2'],
        outputs: ['c2'],
        attributes: { kernel_shape: [3, 3] },
      },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { op: 'MaxPool', inputs: ['r2'], outputs: ['p2'], attributes: pool },
      // Back to NHWC so Flatten orders features as tfjs does (h, w, c).
      { op: 'Transpose', inputs: ['p2'], outputs: ['nhwc'], attributes: { perm: [0, 2, 3, 1] } },
      { op: 'Flatten', inputs: ['nhwc'], outputs: ['flat'], attributes: { axis: 1 } },
      { op: 'MatMul', inputs: ['flat', 'wd'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'bd'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['y'], attributes: { axis: -1 } },
    ],
  };
}

/** Writes one bench model's version directory (`<dir>/model.json` or `<dir>/model.onnx`). */
export async function writeBenchModel(name: BenchModelName, dir: string): Promise<void> {
  switch (name) {
    case 'mlp_onnx':
      return writeOnnxMlp(dir, BENCH_MLP_LAYERS, {
        weights: benchMlpWeights(),
        outputActivation: 'softmax',
      });
    case 'cnn_onnx':
      return writeOnnxModel(dir, onnxCnnGraph());
    case 'mlp_tfjs':
    case 'cnn_tfjs': {
      await useCpuBackend();
      const model = name === 'mlp_tfjs' ? buildTfjsMlp() : buildTfjsCnn();
      try {
        await writeLayersModel(model, dir, BENCH_WEIGHTS);
      } finally {
        model.dispose();
      }
    }
  }
}

/** A deterministic input batch for a bench model: `rows` examples with values in [0, 1). */
export function benchInput(name: BenchModelName, rows: number, seed = 3): Float32Array {
  const size = BENCH_MODELS[name].inputShape.reduce((n, d) => n * d, 1);
  const next = uniform(seed);
  return Float32Array.from({ length: rows * size }, () => (next() + 1) / 2);
}
