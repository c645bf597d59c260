import { type CnnParams, type CnnVariable, flatSize } from './cnn-model.js';
import { node, type NodeObject, type } from './graph-defs.js';
import { tf1PredictGraph } from './tf1-scaffold.js';
import { resourceArgs, tf2PredictGraph } from './tf2-scaffold.js';

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

/** The serving signature's input and output dims. */
function dims(params: CnnParams) {
  const { height, width, channels, classes } = params.shape;
  return { inputDims: [-1, height, width, channels], outputDims: [-1, classes] };
}

/** TF1: `VariableV2` + `/read` identities, the CNN, and Saver's RestoreV2/Assign subgraph. */
export function tf1CnnGraph(params: CnnParams, vars: readonly CnnVariable[]): object {
  const [body, output] = forward(params, 'x', {
    out: (name) => name,
    read: (k) => ({ nodes: [], ref: `${vars[k]!.name}/read` }),
  });
  return tf1PredictGraph({
    ...dims(params),
    vars,
    body,
    output,
    assignAttrs: { validate_shape: { b: true }, use_locking: { b: true } },
  });
}

/** TF2: `VarHandleOp`s, the signature as nested `StatefulPartitionedCall`s, a traced restore. */
export function tf2CnnGraph(params: CnnParams, vars: readonly CnnVariable[]): object {
  const resources = resourceArgs(vars);
  const [body, out] = forward(params, 'x', {
    out: (name, outArg) => `${name}:${outArg}:0`,
    read: (k, op) => ({
      nodes: [node(`${op}/ReadVariableOp`, 'ReadVariableOp', [resources[k]!], { dtype: type() })],
      ref: `${op}/ReadVariableOp:value:0`,
    }),
  });
  body.push(node('Identity', 'Identity', [out, '^conv2d_0/Conv2D/ReadVariableOp'], { T: type() }));
  return tf2PredictGraph({ ...dims(params), vars, body, idBase: 100, stateful: true });
}
