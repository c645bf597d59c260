import {
  func,
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

const arg = (name: string, dtype: string) => ({ name, type: dtype });

/** TF2: resource variables, the signature as nested function calls, a traced restore function. */
export function tf2Graph(layers: readonly number[], vars: readonly Variable[]): object {
  const resources = vars.map((_, k) => `resource_${k}`);
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
  const resourceArgs = resources.map((r) => arg(r, 'DT_RESOURCE'));
  const call = {
    signature: {
      name: '__inference_call_10',
      inputArg: [arg('x', 'DT_FLOAT'), ...resourceArgs],
      outputArg: [arg('identity', 'DT_FLOAT')],
    },
    nodeDef: body,
    ret: { identity: 'Identity:output:0' },
  };
  const callAttrs = (f: string, tin: string[], tout: string[]) => ({
    f: func(f),
    Tin: typeList(tin),
    Tout: typeList(tout),
  });
  const tin = ['DT_FLOAT', ...resources.map(() => 'DT_RESOURCE')];
  const wrapper = {
    signature: {
      name: '__inference_signature_wrapper_20',
      inputArg: [
        arg('x', 'DT_FLOAT'),
        ...resources.map((_, k) => arg(`unknown_${k}`, 'DT_RESOURCE')),
      ],
      outputArg: [arg('identity', 'DT_FLOAT')],
    },
    nodeDef: [
      node(
        'StatefulPartitionedCall',
        'StatefulPartitionedCall',
        ['x', ...resources.map((_, k) => `unknown_${k}`)],
        callAttrs(call.signature.name, tin, ['DT_FLOAT']),
      ),
      node(
        'Identity',
        'Identity',
        ['StatefulPartitionedCall:output:0', '^StatefulPartitionedCall'],
        { T: type() },
      ),
    ],
    ret: { identity: 'Identity:output:0' },
  };
  const restoreBody: NodeObject[] = [
    stringConst(
      'RestoreV2/tensor_names',
      vars.map((v) => v.key),
    ),
    stringConst(
      'RestoreV2/shape_and_slices',
      vars.map(() => ''),
    ),
    node(
      'RestoreV2',
      'RestoreV2',
      ['file_prefix', 'RestoreV2/tensor_names:output:0', 'RestoreV2/shape_and_slices:output:0'],
      { dtypes: typeList(vars.map(() => 'DT_FLOAT')) },
    ),
  ];
  vars.forEach((_, k) => {
    restoreBody.push(node(`Identity_${k}`, 'Identity', [`RestoreV2:tensors:${k}`], { T: type() }));
    restoreBody.push(
      node(
        `AssignVariableOp_${k}`,
        'AssignVariableOp',
        [`assignvariableop_${k}`, `Identity_${k}:output:0`],
        { dtype: type() },
      ),
    );
  });
  restoreBody.push(
    node(
      'Identity_final',
      'Identity',
      ['file_prefix', ...vars.map((_, k) => `^AssignVariableOp_${k}`)],
      { T: type('DT_STRING') },
    ),
  );
  const restore = {
    signature: {
      name: '__inference__traced_restore_30',
      inputArg: [
        arg('file_prefix', 'DT_STRING'),
        ...vars.map((_, k) => arg(`assignvariableop_${k}`, 'DT_RESOURCE')),
      ],
      outputArg: [arg('identity', 'DT_STRING')],
    },
    nodeDef: restoreBody,
    ret: { identity: 'Identity_final:output:0' },
  };
  const nodes: NodeObject[] = [
    ...vars.map((v) =>
      node(v.name, 'VarHandleOp', [], {
        dtype: type(),
        shape: shape(v.dims),
        shared_name: { s: Buffer.from(v.name) },
      }),
    ),
    placeholder('serving_default_x', [-1, layers[0]!]),
    node(
      'StatefulPartitionedCall',
      'StatefulPartitionedCall',
      ['serving_default_x', ...vars.map((v) => v.name)],
      callAttrs(wrapper.signature.name, tin, ['DT_FLOAT']),
    ),
    placeholder('saver_filename', [], 'DT_STRING'),
    node(
      'StatefulPartitionedCall_1',
      'StatefulPartitionedCall',
      ['saver_filename', ...vars.map((v) => v.name)],
      callAttrs(
        restore.signature.name,
        ['DT_STRING', ...resources.map(() => 'DT_RESOURCE')],
        ['DT_STRING'],
      ),
    ),
    node('NoOp', 'NoOp'),
  ];
  return {
    graphDef: {
      node: nodes,
      library: { function: [call, wrapper, restore] },
      versions: { producer: 1205 },
    },
    saverDef: {
      filenameTensorName: 'saver_filename:0',
      restoreOpName: 'StatefulPartitionedCall_1',
      version: 'V2',
    },
    signatureDef: {
      serving_default: {
        inputs: { x: tensorInfo('serving_default_x:0', [-1, layers[0]!]) },
        outputs: {
          output_0: tensorInfo('StatefulPartitionedCall:0', [-1, layers[layers.length - 1]!]),
        },
        methodName: 'tensorflow/serving/predict',
      },
      __saved_model_init_op: {
        outputs: { __saved_model_init_op: { name: 'NoOp', tensorShape: { unknownRank: true } } },
      },
    },
  };
}
