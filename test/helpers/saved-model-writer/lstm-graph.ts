import { node, type NodeObject, shape, type, typeList } from './graph-defs.js';
import { arg, tf2PredictGraph } from './tf2-scaffold.js';

/** The LSTM's sizes: `[batch, steps, features]` in, `units` per step out. */
export interface LstmShape {
  readonly steps: number;
  readonly features: number;
  readonly units: number;
}

/** Checkpoint keys of the kernel, the recurrent kernel and the bias, as Keras names them. */
export const LSTM_VARIABLE_KEYS = [
  'layer_with_weights-0/cell/kernel/.ATTRIBUTES/VARIABLE_VALUE',
  'layer_with_weights-0/cell/recurrent_kernel/.ATTRIBUTES/VARIABLE_VALUE',
  'layer_with_weights-0/cell/bias/.ATTRIBUTES/VARIABLE_VALUE',
] as const;

/** How the loop is written: its op, and how the weights enter it. */
export interface LstmGraphOptions {
  /** @defaultValue 'StatelessWhile' */
  readonly whileOp?: string;
  /** Pass the weights as resource handles read inside the body. @defaultValue false */
  readonly captureResources?: boolean;
}

const I = type('DT_INT32');
const F = type();
const V = 'DT_VARIANT';

/** A `Const` of int32s (`[]` dims for a scalar). */
export function int32Const(name: string, dims: readonly number[], values: number[]): NodeObject {
  return node(name, 'Const', [], {
    dtype: I,
    value: {
      tensor: {
        dtype: 'DT_INT32',
        tensorShape: { dim: dims.map((size) => ({ size })) },
        intVal: values,
      },
    },
  });
}

/** A scalar float `Const`. */
export function floatScalar(name: string, value: number): NodeObject {
  return node(name, 'Const', [], {
    dtype: F,
    value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [value] } },
  });
}

/** `x[index]` of an int32 vector, as Keras slices shapes. */
function pick(name: string, from: string, index: number): NodeObject[] {
  return [
    int32Const(`${name}/stack`, [1], [index]),
    int32Const(`${name}/stack_1`, [1], [index + 1]),
    int32Const(`${name}/stack_2`, [1], [1]),
    node(
      name,
      'StridedSlice',
      [from, `${name}/stack:output:0`, `${name}/stack_1:output:0`, `${name}/stack_2:output:0`],
      { T: I, Index: I, shrink_axis_mask: { i: '1' } },
    ),
  ];
}

/** `Fill([batch, units], 0)`: the initial state. */
function zeros(name: string, batch: string, units: number): NodeObject[] {
  return [
    int32Const(`${name}/packed/1`, [], [units]),
    node(`${name}/packed`, 'Pack', [batch, `${name}/packed/1:output:0`], {
      T: I,
      N: { i: '2' },
      axis: { i: '0' },
    }),
    floatScalar(`${name}/Const`, 0),
    node(name, 'Fill', [`${name}/packed:output:0`, `${name}/Const:output:0`], {
      T: F,
      index_type: I,
    }),
  ];
}

// The loop variables of `lstm/while`, in order: TensorFlow's while_v2 puts the counter and
// the iteration bound first, then Keras's time, output list, h, c, then the captured tensors.
const LOOP_TYPES = ['DT_INT32', 'DT_INT32', 'DT_INT32', V, 'DT_FLOAT', 'DT_FLOAT', 'DT_INT32', V];
/** The loop variables' dtypes, the three weights as tensors or as resource handles. */
const loopTypes = (weights: string) => [...LOOP_TYPES, weights, weights, weights];
const ARGS = [
  'lstm_while_loop_counter',
  'lstm_while_maximum_iterations',
  'placeholder',
  'placeholder_1',
  'placeholder_2',
  'placeholder_3',
  'lstm_while_lstm_strided_slice_1_0',
  'lstm_while_tensorarrayv2read_tensorlistgetitem_lstm_tensorarrayunstack_tensorlistfromtensor_0',
  'lstm_while_lstm_cell_matmul_readvariableop_0',
  'lstm_while_lstm_cell_matmul_1_readvariableop_0',
  'lstm_while_lstm_cell_biasadd_readvariableop_0',
];

/** `counter < maximum_iterations && time < steps`, as while_v2 wraps Keras's condition. */
function condFunction(name: string, types: readonly string[]): object {
  return {
    signature: {
      name,
      inputArg: ARGS.map((a, k) => arg(a, types[k]!)),
      outputArg: [arg('identity', 'DT_BOOL')],
    },
    nodeDef: [
      node('Less', 'Less', ['placeholder', 'lstm_while_lstm_strided_slice_1_0'], { T: I }),
      node('Less_1', 'Less', ['lstm_while_loop_counter', 'lstm_while_maximum_iterations'], {
        T: I,
      }),
      node('LogicalAnd', 'LogicalAnd', ['Less_1:z:0', 'Less:z:0']),
      node('Identity', 'Identity', ['LogicalAnd:z:0'], { T: type('DT_BOOL') }),
    ],
    ret: { identity: 'Identity:output:0' },
  };
}

/** One step of Keras's LSTM cell: gates i, f, c, o from one split of the four. */
function bodyFunction(name: string, g: LstmShape, types: readonly string[]): object {
  const [counter, maxIter, time, outList, h, c, steps, inList, ...weightArgs] = ARGS as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const cell = 'lstm_cell';
  // Captured resources are read in the body, as Keras's RNN loops over a cell do.
  const resources = types[8] === 'DT_RESOURCE';
  const reads = ['MatMul', 'MatMul_1', 'BiasAdd'].map((op) => `${cell}/${op}/ReadVariableOp`);
  const [kernel, recurrent, bias] = (resources ? reads.map((r) => `${r}:value:0`) : weightArgs) as [
    string,
    string,
    string,
  ];
  const nodes: NodeObject[] = [
    ...(resources
      ? reads.map((r, k) => node(r, 'ReadVariableOp', [weightArgs[k]!], { dtype: F }))
      : []),
    int32Const('TensorArrayV2Read/TensorListGetItem/element_shape', [2], [-1, g.features]),
    node(
      'TensorArrayV2Read/TensorListGetItem',
      'TensorListGetItem',
      [inList, time, 'TensorArrayV2Read/TensorListGetItem/element_shape:output:0'],
      { element_dtype: F },
    ),
    node(`${cell}/MatMul`, 'MatMul', ['TensorArrayV2Read/TensorListGetItem:item:0', kernel], {
      T: F,
      transpose_a: { b: false },
      transpose_b: { b: false },
    }),
    node(`${cell}/MatMul_1`, 'MatMul', [h, recurrent], { T: F }),
    node(`${cell}/add`, 'AddV2', [`${cell}/MatMul:product:0`, `${cell}/MatMul_1:product:0`], {
      T: F,
    }),
    node(`${cell}/BiasAdd`, 'BiasAdd', [`${cell}/add:z:0`, bias], { T: F }),
    int32Const(`${cell}/split/split_dim`, [], [1]),
    node(
      `${cell}/split`,
      'Split',
      [`${cell}/split/split_dim:output:0`, `${cell}/BiasAdd:output:0`],
      { T: F, num_split: { i: '4' } },
    ),
    node(`${cell}/Sigmoid`, 'Sigmoid', [`${cell}/split:output:0`], { T: F }),
    node(`${cell}/Sigmoid_1`, 'Sigmoid', [`${cell}/split:output:1`], { T: F }),
    node(`${cell}/mul`, 'Mul', [`${cell}/Sigmoid_1:y:0`, c], { T: F }),
    node(`${cell}/Tanh`, 'Tanh', [`${cell}/split:output:2`], { T: F }),
    node(`${cell}/mul_1`, 'Mul', [`${cell}/Sigmoid:y:0`, `${cell}/Tanh:y:0`], { T: F }),
    node(`${cell}/add_1`, 'AddV2', [`${cell}/mul:z:0`, `${cell}/mul_1:z:0`], { T: F }),
    node(`${cell}/Sigmoid_2`, 'Sigmoid', [`${cell}/split:output:3`], { T: F }),
    node(`${cell}/Tanh_1`, 'Tanh', [`${cell}/add_1:z:0`], { T: F }),
    node(`${cell}/mul_2`, 'Mul', [`${cell}/Sigmoid_2:y:0`, `${cell}/Tanh_1:y:0`], { T: F }),
    int32Const('add/y', [], [1]),
    node('add', 'AddV2', [time, 'add/y:output:0'], { T: I }),
    int32Const('add_1/y', [], [1]),
    node('add_1', 'AddV2', [counter, 'add_1/y:output:0'], { T: I }),
  ];
  const results = [
    'add_1:z:0',
    maxIter,
    'add:z:0',
    'TensorArrayV2Write/TensorListSetItem:output_handle:0',
    `${cell}/mul_2:z:0`,
    `${cell}/add_1:z:0`,
    steps,
    inList,
    ...weightArgs,
  ];
  results.forEach((from, k) =>
    nodes.push(node(`Identity_${k}`, 'Identity', [from], { T: type(types[k]) })),
  );
  // Last: TensorFlow.js runs the later of two consumers first, and `Identity_4` must see h
  // already kept by the list (else it copies h, and the run disposes the h the list holds).
  nodes.push(
    node(
      'TensorArrayV2Write/TensorListSetItem',
      'TensorListSetItem',
      [outList, time, `${cell}/mul_2:z:0`],
      { element_dtype: F },
    ),
  );
  return {
    signature: {
      name,
      inputArg: ARGS.map((a, k) => arg(a, types[k]!)),
      outputArg: results.map((_, k) => arg(`identity_${k}`, types[k]!)),
    },
    nodeDef: nodes,
    ret: Object.fromEntries(results.map((_, k) => [`identity_${k}`, `Identity_${k}:output:0`])),
  };
}

/**
 * TF2: a Keras `LSTM(units, return_sequences=True)` as it exports: the input made time-major,
 * unstacked into a TensorList, a `StatelessWhile` whose body reads step `time`, runs the
 * cell and writes h into an output TensorList reserved beforehand, then the list stacked and
 * made batch-major again. The weights are resource variables read outside the loop and passed
 * in as loop variables (what freezing leaves of Keras's captured reads), or with
 * `captureResources` passed as resource handles the body reads (`ReadVariableOp` inside the
 * loop, as `keras.layers.RNN(LSTMCell)` exports). `whileOp` may be `While` (a stateful body).
 */
export function tf2LstmGraph(g: LstmShape, options: LstmGraphOptions = {}): object {
  const { whileOp = 'StatelessWhile', captureResources = false } = options;
  const types = loopTypes(captureResources ? 'DT_RESOURCE' : 'DT_FLOAT');
  const vars = [
    { name: 'lstm/lstm_cell/kernel', dims: [g.features, 4 * g.units] },
    { name: 'lstm/lstm_cell/recurrent_kernel', dims: [g.units, 4 * g.units] },
    { name: 'lstm/lstm_cell/bias', dims: [4 * g.units] },
  ].map((v, k) => ({ ...v, key: LSTM_VARIABLE_KEYS[k]! }));
  const [cond, body] = ['lstm_while_cond_101', 'lstm_while_body_102'];
  const outputShapes = [[], [], [], [], [-1, g.units], [-1, g.units], [], []];
  const nodes: NodeObject[] = [
    node('lstm/Shape', 'Shape', ['x'], { T: F, out_type: I }),
    ...pick('lstm/strided_slice', 'lstm/Shape:output:0', 0),
    ...zeros('lstm/zeros', 'lstm/strided_slice:output:0', g.units),
    ...zeros('lstm/zeros_1', 'lstm/strided_slice:output:0', g.units),
    int32Const('lstm/transpose/perm', [3], [1, 0, 2]),
    node('lstm/transpose', 'Transpose', ['x', 'lstm/transpose/perm:output:0'], {
      T: F,
      Tperm: I,
    }),
    node('lstm/Shape_1', 'Shape', ['lstm/transpose:y:0'], { T: F, out_type: I }),
    ...pick('lstm/strided_slice_1', 'lstm/Shape_1:output:0', 0),
    int32Const('lstm/TensorArrayV2/element_shape', [], [-1]),
    node(
      'lstm/TensorArrayV2',
      'TensorListReserve',
      ['lstm/TensorArrayV2/element_shape:output:0', 'lstm/strided_slice_1:output:0'],
      { element_dtype: F, shape_type: I },
    ),
    int32Const('lstm/TensorArrayUnstack/TensorListFromTensor/element_shape', [2], [-1, g.features]),
    node(
      'lstm/TensorArrayUnstack/TensorListFromTensor',
      'TensorListFromTensor',
      ['lstm/transpose:y:0', 'lstm/TensorArrayUnstack/TensorListFromTensor/element_shape:output:0'],
      { element_dtype: F, shape_type: I },
    ),
    int32Const('lstm/time', [], [0]),
    int32Const('lstm/while/maximum_iterations', [], [g.steps]),
    int32Const('lstm/while/loop_counter', [], [0]),
    ...(captureResources
      ? []
      : vars.map((_, k) =>
          node(`lstm/ReadVariableOp_${k}`, 'ReadVariableOp', [`resource_${k}`], { dtype: F }),
        )),
    node(
      'lstm/while',
      whileOp,
      [
        'lstm/while/loop_counter:output:0',
        'lstm/while/maximum_iterations:output:0',
        'lstm/time:output:0',
        'lstm/TensorArrayV2:handle:0',
        'lstm/zeros:output:0',
        'lstm/zeros_1:output:0',
        'lstm/strided_slice_1:output:0',
        'lstm/TensorArrayUnstack/TensorListFromTensor:output_handle:0',
        ...vars.map((_, k) =>
          captureResources ? `resource_${k}` : `lstm/ReadVariableOp_${k}:value:0`,
        ),
      ],
      {
        T: typeList(types),
        cond: { func: { name: cond } },
        body: { func: { name: body } },
        output_shapes: {
          list: {
            shape: [...outputShapes, ...vars.map((v) => (captureResources ? [] : v.dims))].map(
              (dims) => shape(dims).shape,
            ),
          },
        },
        parallel_iterations: { i: '32' },
        _num_original_outputs: { i: String(types.length) },
      },
    ),
    int32Const('lstm/TensorArrayV2Stack/TensorListStack/element_shape', [2], [-1, g.units]),
    node(
      'lstm/TensorArrayV2Stack/TensorListStack',
      'TensorListStack',
      ['lstm/while:output:3', 'lstm/TensorArrayV2Stack/TensorListStack/element_shape:output:0'],
      { element_dtype: F, num_elements: { i: String(g.steps) } },
    ),
    int32Const('lstm/transpose_1/perm', [3], [1, 0, 2]),
    node(
      'lstm/transpose_1',
      'Transpose',
      ['lstm/TensorArrayV2Stack/TensorListStack:tensor:0', 'lstm/transpose_1/perm:output:0'],
      { T: F, Tperm: I },
    ),
    node('Identity', 'Identity', ['lstm/transpose_1:y:0'], { T: F }),
  ];
  const graph = tf2PredictGraph({
    inputDims: [-1, g.steps, g.features],
    outputDims: [-1, g.steps, g.units],
    vars,
    body: nodes,
    idBase: 100,
  }) as { graphDef: { library: { function: object[] } } };
  graph.graphDef.library.function.push(condFunction(cond, types), bodyFunction(body, g, types));
  return graph;
}
