import { node, type NodeObject, type } from './graph-defs.js';
import { type Variable } from './mlp-variables.js';
import { tf1PredictGraph } from './tf1-scaffold.js';

/** TF1: variables with `/read` identities, a dense stack, and Saver's restore subgraph. */
export function tf1Graph(layers: readonly number[], vars: readonly Variable[]): object {
  const body: NodeObject[] = [];
  let prev = 'x';
  for (let i = 0; i < layers.length - 1; i++) {
    body.push(node(`dense_${i}/MatMul`, 'MatMul', [prev, `dense_${i}/kernel/read`], { T: type() }));
    body.push(
      node(`dense_${i}/BiasAdd`, 'BiasAdd', [`dense_${i}/MatMul`, `dense_${i}/bias/read`], {
        T: type(),
      }),
    );
    prev = `dense_${i}/BiasAdd`;
    if (i < layers.length - 2) {
      body.push(node(`dense_${i}/Relu`, 'Relu', [prev], { T: type() }));
      prev = `dense_${i}/Relu`;
    }
  }
  return tf1PredictGraph({
    inputDims: [-1, layers[0]!],
    outputDims: [-1, layers[layers.length - 1]!],
    vars,
    body,
    output: prev,
  });
}
