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

/** The MLP graph: ReLU between layers, none after the last; input `x`, output `y`. */
export function onnxMlpGraph(
  layers: readonly number[],
  batch: number | string = 'batch',
): OnnxGraph {
  const weights = mlpWeights(layers);
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
    const sum = last ? 'y' : `sum${l}`;
    nodes.push({ op: 'Add', inputs: [`mm${l}`, `b${l}`], outputs: [sum] });
    if (!last) nodes.push({ op: 'Relu', inputs: [sum], outputs: [`h${l}`] });
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
export async function writeOnnxMlp(dir: string, layers: readonly number[]): Promise<void> {
  await writeOnnxModel(dir, onnxMlpGraph(layers));
}
