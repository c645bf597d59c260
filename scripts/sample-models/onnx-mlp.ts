// A small ONNX MLP with known weights: x[batch, n₀] → Dense+ReLU … → Dense, as Gemm-free
// MatMul/Add/Relu nodes, and the same forward pass in plain JS to check what a server answers.
import { ONNX_TYPE, type OnnxGraph, writeOnnxModel } from './onnx-writer.js';

/** The layer sizes of the sample app's `mlp_onnx`. */
export const ONNX_SAMPLE_LAYERS: readonly number[] = [4, 16, 3];

/** Deterministic weights in [-0.5, 0.5): a linear congruential sequence from `seed`. */
export function mlpWeights(layers: readonly number[], seed = 7): Float32Array[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const weights: Float32Array[] = [];
  for (let l = 1; l < layers.length; l++) {
    weights.push(Float32Array.from({ length: layers[l - 1]! * layers[l]! }, next));
    weights.push(Float32Array.from({ length: layers[l]! }, next));
  }
  return weights;
}

/** What {@link onnxMlpGraph} builds beyond the layer sizes. */
export interface OnnxMlpOptions {
  /** A dimension size, or a symbolic name for a dynamic batch. @defaultValue `'batch'` */
  readonly batch?: number | string;
  /** Kernel ([in, out], row-major) then bias of each layer. @defaultValue `mlpWeights(layers)` */
  readonly weights?: readonly Float32Array[];
  /** Applied to the last layer's output. @defaultValue `'linear'` */
  readonly outputActivation?: 'linear' | 'softmax';
}

/**
 * The MLP graph: ReLU between layers, none (or a softmax) after the last; input `x`, output `y`.
 */
export function onnxMlpGraph(
  layers: readonly number[],
  batchOrOptions: number | string | OnnxMlpOptions = 'batch',
): OnnxGraph {
  const options: OnnxMlpOptions =
    typeof batchOrOptions === 'object' ? batchOrOptions : { batch: batchOrOptions };
  const batch = options.batch ?? 'batch';
  const softmax = options.outputActivation === 'softmax';
  const weights = options.weights ?? mlpWeights(layers);
  const nodes: OnnxGraph['nodes'][number][] = [];
  const initializers: NonNullable<OnnxGraph['initializers']>[number][] = [];
  let current = 'x';
  for (let l = 1; l < layers.length; l++) {
    const last = l === layers.length - 1;
    initializers.push(
      {
        name: `w${l}`,
        type: ONNX_TYPE.float,
        dims: [layers[l - 1]!, layers[l]!],
        data: weights[2 * (l - 1)]!,
      },
      { name: `b${l}`, type: ONNX_TYPE.float, dims: [layers[l]!], data: weights[2 * (l - 1) + 1]! },
    );
    nodes.push({ op: 'MatMul', inputs: [current, `w${l}`], outputs: [`mm${l}`] });
    const sum = last && !softmax ? 'y' : `sum${l}`;
    nodes.push({ op: 'Add', inputs: [`mm${l}`, `b${l}`], outputs: [sum] });
    if (!last) nodes.push({ op: 'Relu', inputs: [sum], outputs: [`h${l}`] });
    else if (softmax)
      nodes.push({ op: 'Softmax', inputs: [sum], outputs: ['y'], attributes: { axis: -1 } });
    current = `h${l}`;
  }
  return {
    inputs: [{ name: 'x', type: ONNX_TYPE.float, shape: [batch, layers[0]!] }],
    outputs: [{ name: 'y', type: ONNX_TYPE.float, shape: [batch, layers.at(-1)!] }],
    nodes,
    initializers,
  };
}

/** The MLP's forward pass in float32 JS, row by row. */
export function mlpForward(
  layers: readonly number[],
  rows: readonly (readonly number[])[],
): number[][] {
  const weights = mlpWeights(layers);
  return rows.map((row) => {
    let h = Float32Array.from(row);
    for (let l = 1; l < layers.length; l++) {
      const w = weights[2 * (l - 1)]!;
      const b = weights[2 * (l - 1) + 1]!;
      const out = new Float32Array(layers[l]!);
      for (let j = 0; j < out.length; j++) {
        let s = 0;
        for (let i = 0; i < h.length; i++) s += h[i]! * w[i * out.length + j]!;
        out[j] = s + b[j]!;
        if (l < layers.length - 1) out[j] = Math.max(0, out[j]!);
      }
      h = out;
    }
    return Array.from(h);
  });
}

/** Writes the MLP into `<dir>/model.onnx`. */
export async function writeOnnxMlp(
  dir: string,
  layers: readonly number[],
  options: OnnxMlpOptions = {},
): Promise<void> {
  await writeOnnxModel(dir, onnxMlpGraph(layers, options));
}
