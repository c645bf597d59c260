// TF Serving's classic `half_plus_two` example as a TensorFlow.js graph model: y = 0.5 * x + 2.
import { loadGraphModel, version_converter } from '@tensorflow/tfjs-converter';

import { fileLoadHandler, writeModelArtifacts } from './model-io.js';
import { tf, useCpuBackend } from './tf.js';

/** The weights file of the graph model, as tfjs-converter names a single shard. */
export const HALF_PLUS_TWO_WEIGHTS = 'group1-shard1of1.bin';

const FLOAT = { type: 'DT_FLOAT' };
const VECTOR = { dim: [{ size: '-1' }] };
const SCALAR = {};

/** The serving signature written to `model.json` (a TF `SignatureDef` in JSON form). */
export const HALF_PLUS_TWO_SIGNATURE = {
  inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: VECTOR } },
  outputs: { y: { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: VECTOR } },
};

/** The GraphDef, in the JSON form tfjs-converter writes: x -> Mul(x, a) -> AddV2(., b) = y. */
function graphDef(): object {
  return {
    node: [
      {
        name: 'x',
        op: 'Placeholder',
        attr: { dtype: FLOAT, shape: { shape: VECTOR } },
      },
      {
        name: 'a',
        op: 'Const',
        attr: { dtype: FLOAT, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: SCALAR } } },
      },
      {
        name: 'b',
        op: 'Const',
        attr: { dtype: FLOAT, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: SCALAR } } },
      },
      { name: 'mul', op: 'Mul', input: ['x', 'a'], attr: { T: FLOAT } },
      { name: 'y', op: 'AddV2', input: ['mul', 'b'], attr: { T: FLOAT } },
    ],
    library: {},
    versions: { producer: 1482, minConsumer: 12 },
  };
}

/** Writes the `half_plus_two` graph model (`model.json` + one weights shard) into `dir`. */
export async function writeHalfPlusTwo(dir: string): Promise<tf.io.ModelJSON> {
  await useCpuBackend();
  const a = tf.scalar(0.5, 'float32');
  const b = tf.scalar(2, 'float32');
  try {
    const { data, specs } = await tf.io.encodeWeights([
      { name: 'a', tensor: a },
      { name: 'b', tensor: b },
    ]);
    return await writeModelArtifacts(
      dir,
      {
        format: 'graph-model',
        generatedBy: 'nest-model-serving scripts/build-models.ts',
        convertedBy: `TensorFlow.js Converter v${version_converter}`,
        modelTopology: graphDef(),
        weightSpecs: specs,
        weightData: data,
      },
      HALF_PLUS_TWO_WEIGHTS,
      { signature: HALF_PLUS_TWO_SIGNATURE },
    );
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** Loads the graph model in `dir` and returns its predictions for `xs`. */
export async function predictHalfPlusTwo(dir: string, xs: number[]): Promise<number[]> {
  await useCpuBackend();
  const model = await loadGraphModel(fileLoadHandler(dir));
  const input = tf.tensor1d(xs, 'float32');
  try {
    const output = model.predict(input);
    if (!(output instanceof tf.Tensor)) {
      throw new Error('half_plus_two: expected a single output tensor');
    }
    const values = Array.from(await output.data());
    output.dispose();
    return values;
  } finally {
    input.dispose();
    model.dispose();
  }
}

/** Loads the model back from `dir` and throws unless it computes 0.5 * x + 2. */
export async function verifyHalfPlusTwo(dir: string): Promise<void> {
  const xs = [1, 2, 5];
  const expected = xs.map((x) => 0.5 * x + 2);
  const actual = await predictHalfPlusTwo(dir, xs);
  const ok =
    actual.length === expected.length &&
    actual.every((v, i) => Math.abs(v - (expected[i] ?? Number.NaN)) < 1e-6);
  if (!ok) {
    throw new Error(
      `half_plus_two in ${dir}: predicted [${actual.join(', ')}] for [${xs.join(', ')}], ` +
        `expected [${expected.join(', ')}]`,
    );
  }
}
