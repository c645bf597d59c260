import { node, type NodeObject, type } from './graph-defs.js';
import { type Variable } from './mlp-variables.js';
import { resourceArgs, tf2PredictGraph } from './tf2-scaffold.js';

/** TF2: resource variables, the signature as nested function calls, a traced restore function. */
export function tf2Graph(layers: readonly number[], vars: readonly Variable[]): object {
  const resources = resourceArgs(vars);
  const body: NodeObject[] = [];
  let prev = 'x';
  for (let i = 0; i < layers.length - 1; i++) {
    const [kernel, bias] = [resources[2 * i]!, resources[2 * i + 1]!];
    body.push(
      node(`dense_${i}/MatMul/ReadVariableOp`, 'ReadVariableOp', [kernel], { dtype: type() }),
    );
    body.push(
      node(`dense_${i}/MatMul`, 'MatMul', [prev, `dense_${i}/MatMul/ReadVariableOp:value:0`], {
        T: type(),
      }),
    );
    body.push(
      node(`dense_${i}/BiasAdd/ReadVariableOp`, 'ReadVariableOp', [bias], { dtype: type() }),
    );
    body.push(
      node(
        `dense_${i}/BiasAdd`,
        'BiasAdd',
        [`dense_${i}/MatMul:product:0`, `dense_${i}/BiasAdd/ReadVariableOp:value:0`],
        { T: type() },
      ),
    );
    prev = `dense_${i}/BiasAdd:output:0`;
    if (i < layers.length - 2) {
      body.push(node(`dense_${i}/Relu`, 'Relu', [prev], { T: type() }));
      prev = `dense_${i}/Relu:activations:0`;
    }
  }
  body.push(node('Identity', 'Identity', [prev, '^dense_0/MatMul/ReadVariableOp'], { T: type() }));
  return tf2PredictGraph({
    inputDims: [-1, layers[0]!],
    outputDims: [-1, layers[layers.length - 1]!],
    vars,
    body,
    idBase: 0,
  });
}
