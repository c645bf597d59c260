import {
  node,
  type NodeObject,
  placeholder,
  shape,
  stringConst,
  tensorInfo,
  type,
  typeList,
} from './graph-defs.js';
import { type Variable } from './mlp-variables.js';

/** TF1: variables with `/read` identities, a dense stack, and Saver's restore subgraph. */
export function tf1Graph(layers: readonly number[], vars: readonly Variable[]): object {
  const nodes: NodeObject[] = [placeholder('x', [-1, layers[0]!])];
  for (const v of vars) {
    nodes.push(node(v.name, 'VariableV2', [], { dtype: type(), shape: shape(v.dims) }));
    nodes.push(node(`${v.name}/read`, 'Identity', [v.name], { T: type() }));
  }
  let prev = 'x';
  for (let i = 0; i < layers.length - 1; i++) {
    nodes.push(
      node(`dense_${i}/MatMul`, 'MatMul', [prev, `dense_${i}/kernel/read`], { T: type() }),
    );
    nodes.push(
      node(`dense_${i}/BiasAdd`, 'BiasAdd', [`dense_${i}/MatMul`, `dense_${i}/bias/read`], {
        T: type(),
      }),
    );
    prev = `dense_${i}/BiasAdd`;
    if (i < layers.length - 2) {
      nodes.push(node(`dense_${i}/Relu`, 'Relu', [prev], { T: type() }));
      prev = `dense_${i}/Relu`;
    }
  }
  nodes.push(node('y', 'Identity', [prev], { T: type() }));
  nodes.push(stringConst('save/Const', ['model'], true));
  nodes.push(
    stringConst(
      'save/RestoreV2/tensor_names',
      vars.map((v) => v.key),
    ),
  );
  nodes.push(
    stringConst(
      'save/RestoreV2/shape_and_slices',
      vars.map(() => ''),
    ),
  );
  nodes.push(
    node(
      'save/RestoreV2',
      'RestoreV2',
      ['save/Const', 'save/RestoreV2/tensor_names', 'save/RestoreV2/shape_and_slices'],
      {
        dtypes: typeList(vars.map(() => 'DT_FLOAT')),
      },
    ),
  );
  vars.forEach((v, k) =>
    nodes.push(
      node(`save/Assign_${k}`, 'Assign', [v.name, k ? `save/RestoreV2:${k}` : 'save/RestoreV2'], {
        T: type(),
      }),
    ),
  );
  nodes.push(
    node(
      'save/restore_all',
      'NoOp',
      vars.map((_, k) => `^save/Assign_${k}`),
    ),
  );
  return {
    graphDef: { node: nodes, versions: { producer: 27 } },
    saverDef: {
      filenameTensorName: 'save/Const:0',
      restoreOpName: 'save/restore_all',
      version: 'V2',
    },
    signatureDef: {
      serving_default: {
        inputs: { x: tensorInfo('x:0', [-1, layers[0]!]) },
        outputs: { y: tensorInfo('y:0', [-1, layers[layers.length - 1]!]) },
        methodName: 'tensorflow/serving/predict',
      },
    },
  };
}
