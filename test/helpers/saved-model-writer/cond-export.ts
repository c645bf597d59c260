import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCheckpoint } from './checkpoint-writer.js';
import { fillRandom } from './cnn-model.js';
import { node, type NodeObject, shape, type, typeList } from './graph-defs.js';
import { floatScalar, int32Const } from './lstm-graph.js';
import { encodeSavedModel } from './saved-model-pb.js';
import { arg, tf2PredictGraph } from './tf2-scaffold.js';

/** The cond model's weight: `[features, outputs]`, row-major. */
export interface CondWeights {
  readonly features: number;
  readonly outputs: number;
  readonly kernel: Float32Array;
}

const F = type();
const KERNEL_KEY = 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE';
/** What the false branch scales its sigmoid by (a constant inside the branch function). */
export const ELSE_SCALE = -2;

/** A branch function of the cond: `(x, kernel) → f(x · kernel)`. */
function branch(name: string, tail: NodeObject[], out: string): object {
  return {
    signature: {
      name,
      inputArg: [arg('x', 'DT_FLOAT'), arg('matmul_readvariableop_0', 'DT_FLOAT')],
      outputArg: [arg('identity', 'DT_FLOAT')],
    },
    nodeDef: [
      node('MatMul', 'MatMul', ['x', 'matmul_readvariableop_0'], { T: F }),
      ...tail,
      node('Identity', 'Identity', [out], { T: F }),
    ],
    ret: { identity: 'Identity:output:0' },
  };
}

/**
 * TF2: `tf.cond(reduce_sum(x) > 0, lambda: tanh(x @ W), lambda: -2 * sigmoid(x @ W))` as it
 * exports: a `StatelessIf` on a scalar predicate whose branches are library functions taking
 * `x` and the (frozen) kernel. `ifOp` may be `If` (what stateful branches export as).
 */
export function tf2CondGraph(features: number, outputs: number, ifOp = 'StatelessIf'): object {
  const [thenName, elseName] = ['cond_true_201', 'cond_false_202'];
  const body: NodeObject[] = [
    node('ReadVariableOp', 'ReadVariableOp', ['resource_0'], { dtype: F }),
    int32Const('Const', [2], [0, 1]),
    node('Sum', 'Sum', ['x', 'Const:output:0'], {
      T: F,
      Tidx: type('DT_INT32'),
      keep_dims: { b: false },
    }),
    floatScalar('Greater/y', 0),
    node('Greater', 'Greater', ['Sum:output:0', 'Greater/y:output:0'], { T: F }),
    node('cond', ifOp, ['Greater:z:0', 'x', 'ReadVariableOp:value:0'], {
      Tcond: type('DT_BOOL'),
      Tin: typeList(['DT_FLOAT', 'DT_FLOAT']),
      Tout: typeList(['DT_FLOAT']),
      then_branch: { func: { name: thenName } },
      else_branch: { func: { name: elseName } },
      output_shapes: { list: { shape: [shape([-1, outputs]).shape] } },
      _lower_using_switch_merge: { b: true },
    }),
    node('Identity', 'Identity', ['cond:output:0'], { T: F }),
  ];
  const graph = tf2PredictGraph({
    inputDims: [-1, features],
    outputDims: [-1, outputs],
    vars: [{ name: 'dense/kernel', key: KERNEL_KEY, dims: [features, outputs] }],
    body,
    idBase: 200,
  }) as { graphDef: { library: { function: object[] } } };
  graph.graphDef.library.function.push(
    branch(thenName, [node('Tanh', 'Tanh', ['MatMul:product:0'], { T: F })], 'Tanh:y:0'),
    branch(
      elseName,
      [
        node('Sigmoid', 'Sigmoid', ['MatMul:product:0'], { T: F }),
        floatScalar('mul/x', ELSE_SCALE),
        node('mul', 'Mul', ['mul/x:output:0', 'Sigmoid:y:0'], { T: F }),
      ],
      'mul:z:0',
    ),
  );
  return graph;
}

/** The cond model's answer in plain JS (float64): the branch is chosen for the whole batch. */
export function condForward(w: CondWeights, x: readonly (readonly number[])[]): number[][] {
  const positive = x.flat().reduce((a, b) => a + b, 0) > 0;
  return x.map((row) =>
    Array.from({ length: w.outputs }, (_, j) => {
      let sum = 0;
      for (let k = 0; k < w.features; k++) sum += row[k]! * w.kernel[k * w.outputs + j]!;
      return positive ? Math.tanh(sum) : ELSE_SCALE / (1 + Math.exp(-sum));
    }),
  );
}

/**
 * Writes the TF2 `StatelessIf` (or `ifOp`) SavedModel of `tf2CondGraph` with a kernel from `seed`:
 * `serving_default` takes float `x` `[-1, features]`. Returns the weight.
 */
export async function writeCondSavedModel(
  dir: string,
  features: number,
  outputs: number,
  seed = 1,
  ifOp = 'StatelessIf',
): Promise<CondWeights> {
  const kernel = new Float32Array(features * outputs);
  fillRandom(kernel, seed * 100 + 7, 1);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'saved_model.pb'),
    encodeSavedModel(tf2CondGraph(features, outputs, ifOp)),
  );
  await writeCheckpoint(join(dir, 'variables'), [
    {
      key: KERNEL_KEY,
      dtype: 'DT_FLOAT',
      shape: [features, outputs],
      data: new Uint8Array(kernel.buffer),
    },
  ]);
  return { features, outputs, kernel };
}
