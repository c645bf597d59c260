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
import { type CnnParams, type CnnVariable, flatSize } from './cnn-model.js';

const ints = (values: readonly number[]) => ({ list: { i: [...values] } });
const str = (s: string) => ({ s: Buffer.from(s) });

/** An int32 vector `Const` (a Reshape's target shape). */
function int32Const(name: string, values: readonly number[]): NodeObject {
  return node(name, 'Const', [], {
    dtype: type('DT_INT32'),
    value: {
      tensor: {
        dtype: 'DT_INT32',
        tensorShape: { dim: [{ size: values.length }] },
        intVal: [...values],
      },
    },
  });
}

interface Wiring {
  /** How a node's output is named: `name` in a GraphDef, `name:arg:0` in a function body. */
  out: (name: string, arg: string) => string;
  /** Nodes reading variable `k` for op `op`, and the reference to its value. */
  read: (k: number, op: string) => { nodes: NodeObject[]; ref: string };
}

/** The forward pass: conv blocks, Flatten, Dense stack, Softmax. Returns the nodes and output. */
function forward(params: CnnParams, input: string, wire: Wiring): [NodeObject[], string] {
  const nodes: NodeObject[] = [];
  let prev = input;
  let k = 0;
  const emit = (name: string, op: string, inputs: string[], attr: object, arg: string) => {
    nodes.push(node(name, op, inputs, { T: type(), ...attr }));
    prev = wire.out(name, arg);
  };
  const withVar = (op: string) => {
    const { nodes: reads, ref } = wire.read(k++, op);
    nodes.push(...reads);
    return ref;
  };
  params.convs.forEach((_, i) => {
    const scope = `conv2d_${i}`;
    const kernel = withVar(`${scope}/Conv2D`);
    emit(
      `${scope}/Conv2D`,
      'Conv2D',
      [prev, kernel],
      {
        strides: ints([1, 1, 1, 1]),
        dilations: ints([1, 1, 1, 1]),
        padding: str('SAME'),
        data_format: str('NHWC'),
        use_cudnn_on_gpu: { b: true },
        explicit_paddings: ints([]),
      },
      'output',
    );
    const bias = withVar(`${scope}/BiasAdd`);
    emit(`${scope}/BiasAdd`, 'BiasAdd', [prev, bias], { data_format: str('NHWC') }, 'output');
    emit(`${scope}/Relu`, 'Relu', [prev], {}, 'activations');
    emit(
      `max_pooling2d_${i}/MaxPool`,
      'MaxPool',
      [prev],
      {
        ksize: ints([1, 2, 2, 1]),
        strides: ints([1, 2, 2, 1]),
        padding: str('VALID'),
        data_format: str('NHWC'),
      },
      'output',
    );
  });
  nodes.push(int32Const('flatten/Const', [-1, flatSize(params.shape)]));
  emit(
    'flatten/Reshape',
    'Reshape',
    [prev, wire.out('flatten/Const', 'output')],
    { Tshape: type('DT_INT32') },
    'output',
  );
  params.denses.forEach((_, i) => {
    const scope = `dense_${i}`;
    const kernel = withVar(`${scope}/MatMul`);
    emit(
      `${scope}/MatMul`,
      'MatMul',
      [prev, kernel],
      { transpose_a: { b: false }, transpose_b: { b: false } },
      'product',
    );
    const bias = withVar(`${scope}/BiasAdd`);
    emit(`${scope}/BiasAdd`, 'BiasAdd', [prev, bias], { data_format: str('NHWC') }, 'output');
    if (i < params.denses.length - 1) emit(`${scope}/Relu`, 'Relu', [prev], {}, 'activations');
  });
  emit(`dense_${params.denses.length - 1}/Softmax`, 'Softmax', [prev], {}, 'softmax');
  return [nodes, prev];
}

function signature(params: CnnParams, input: string, output: [string, string]) {
  const { height, width, channels, classes } = params.shape;
  return {
    inputs: { x: tensorInfo(input, [-1, height, width, channels]) },
    outputs: { [output[0]]: tensorInfo(output[1], [-1, classes]) },
    methodName: 'tensorflow/serving/predict',
  };
}

/** TF1: `VariableV2` + `/read` identities, the CNN, and Saver's RestoreV2/Assign subgraph. */
export function tf1CnnGraph(params: CnnParams, vars: readonly CnnVariable[]): object {
  const { height, width, channels } = params.shape;
  const nodes: NodeObject[] = [placeholder('x', [-1, height, width, channels])];
  for (const v of vars) {
    nodes.push(node(v.name, 'VariableV2', [], { dtype: type(), shape: shape(v.dims) }));
    nodes.push(node(`${v.name}/read`, 'Identity', [v.name], { T: type() }));
  }
  const [body, out] = forward(params, 'x', {
    out: (name) => name,
    read: (k) => ({ nodes: [], ref: `${vars[k]!.name}/read` }),
  });
  nodes.push(...body, node('y', 'Identity', [out], { T: type() }));
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
      { dtypes: typeList(vars.map(() => 'DT_FLOAT')) },
    ),
  );
  vars.forEach((v, k) =>
    nodes.push(
      node(`save/Assign_${k}`, 'Assign', [v.name, k ? `save/RestoreV2:${k}` : 'save/RestoreV2'], {
        T: type(),
        validate_shape: { b: true },
        use_locking: { b: true },
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
    signatureDef: { serving_default: signature(params, 'x:0', ['y', 'y:0']) },
  };
}

const arg = (name: string, dtype: string) => ({ name, type: dtype });
const callAttrs = (f: string, tin: string[], tout: string[]) => ({
  f: func(f),
  Tin: typeList(tin),
  Tout: typeList(tout),
});

/** TF2: `VarHandleOp`s, the signature as nested `StatefulPartitionedCall`s, a traced restore. */
export function tf2CnnGraph(params: CnnParams, vars: readonly CnnVariable[]): object {
  const { height, width, channels } = params.shape;
  const resources = vars.map((_, k) => `resource_${k}`);
  const [body, out] = forward(params, 'x', {
    out: (name, outArg) => `${name}:${outArg}:0`,
    read: (k, op) => ({
      nodes: [node(`${op}/ReadVariableOp`, 'ReadVariableOp', [resources[k]!], { dtype: type() })],
      ref: `${op}/ReadVariableOp:value:0`,
    }),
  });
  body.push(node('Identity', 'Identity', [out, '^conv2d_0/Conv2D/ReadVariableOp'], { T: type() }));
  const tin = ['DT_FLOAT', ...resources.map(() => 'DT_RESOURCE')];
  const call = {
    signature: {
      name: '__inference_call_110',
      inputArg: [arg('x', 'DT_FLOAT'), ...resources.map((r) => arg(r, 'DT_RESOURCE'))],
      outputArg: [arg('identity', 'DT_FLOAT')],
      isStateful: true,
    },
    nodeDef: body,
    ret: { identity: 'Identity:output:0' },
  };
  const wrapper = {
    signature: {
      name: '__inference_signature_wrapper_120',
      inputArg: [
        arg('x', 'DT_FLOAT'),
        ...resources.map((_, k) => arg(`unknown_${k}`, 'DT_RESOURCE')),
      ],
      outputArg: [arg('identity', 'DT_FLOAT')],
      isStateful: true,
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
      name: '__inference__traced_restore_130',
      inputArg: [
        arg('file_prefix', 'DT_STRING'),
        ...vars.map((_, k) => arg(`assignvariableop_${k}`, 'DT_RESOURCE')),
      ],
      outputArg: [arg('identity', 'DT_STRING')],
      isStateful: true,
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
    placeholder('serving_default_x', [-1, height, width, channels]),
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
      serving_default: signature(params, 'serving_default_x:0', [
        'output_0',
        'StatefulPartitionedCall:0',
      ]),
      __saved_model_init_op: {
        outputs: { __saved_model_init_op: { name: 'NoOp', tensorShape: { unknownRank: true } } },
      },
    },
  };
}
