/**
 * @jest-environment ./test/single-realm.environment.mjs
 */
// onnxruntime-node makes its output arrays in the main realm (see that environment's comment).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  node,
  type NodeObject,
  placeholder,
  tensorInfo,
  type,
} from '../../../../../test/helpers/saved-model-writer/graph-defs.js';
import { encodeSavedModel } from '../../../../../test/helpers/saved-model-writer/saved-model-pb.js';
import { compareAll, loadBoth } from '../../../../../test/helpers/tf-onnx-parity.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { type SavedModelExecutor } from '../saved-model/saved-model.executor.js';
import { CONTROL_FLOW_OPS } from './ops/control-flow.ops.js';
import { LOOKUP_TABLE_OPS } from './ops/lookup-table.ops.js';
import { TENSOR_LIST_OPS } from './ops/tensor-list.ops.js';
import { TF_ONNX_OPS } from './tf-onnx-ops.js';

const F = type('DT_FLOAT');
const I = type('DT_INT32');
const ints = (values: readonly number[]) => ({ list: { i: values.map(String) } });
const str = (s: string) => ({ s: Buffer.from(s) });

function constant(name: string, dtype: string, dims: readonly number[], values: readonly number[]) {
  const field =
    dtype === 'DT_FLOAT'
      ? { floatVal: values }
      : dtype === 'DT_INT64'
        ? { int64Val: values.map(String) }
        : dtype === 'DT_BOOL'
          ? { boolVal: values.map(Boolean) }
          : { intVal: values };
  return node(name, 'Const', [], {
    dtype: type(dtype),
    value: { tensor: { dtype, tensorShape: { dim: dims.map((size) => ({ size })) }, ...field } },
  });
}
const fc = (name: string, dims: readonly number[], values?: readonly number[]) =>
  constant(
    name,
    'DT_FLOAT',
    dims,
    values ??
      Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7) % 11) / 5 - 1),
  );
const ic = (name: string, dims: readonly number[], values: readonly number[]) =>
  constant(name, 'DT_INT32', dims, values);

/** One signature: the nodes it adds, its inputs (placeholders) and its output's dtype. */
interface Case {
  readonly ops: readonly string[];
  readonly nodes: readonly NodeObject[];
  readonly inputs: readonly ('m' | 'img' | 'k')[];
  readonly output: string;
  readonly dtype?: string;
}

const INPUTS = {
  m: { dims: [-1, 6], dtype: 'DT_FLOAT' },
  img: { dims: [-1, 5, 5, 3], dtype: 'DT_FLOAT' },
  k: { dims: [-1, 6], dtype: 'DT_INT32' },
} as const;

const unary = (op: string, attr: object = {}): Case => ({
  ops: [op],
  nodes: [node(`${op}_u`, op, ['m'], { T: F, ...attr })],
  inputs: ['m'],
  output: `${op}_u`,
});
const onAbs = (op: string, plus: number): Case => ({
  ops: [op, 'Abs', 'AddV2'],
  nodes: [
    node(`${op}_abs`, 'Abs', ['m'], { T: F }),
    fc(`${op}_one`, [], [plus]),
    node(`${op}_pos`, 'AddV2', [`${op}_abs`, `${op}_one`], { T: F }),
    node(`${op}_u`, op, [`${op}_pos`], { T: F }),
  ],
  inputs: ['m'],
  output: `${op}_u`,
});
const binary = (op: string, dtype?: string): Case => ({
  ops: [op],
  nodes: [fc(`${op}_c`, [6]), node(`${op}_b`, op, ['m', `${op}_c`], { T: F })],
  inputs: ['m'],
  output: `${op}_b`,
  ...(dtype ? { dtype } : {}),
});
const conv = (name: string, op: string, filter: number[], attr: object): Case => ({
  ops: [op],
  nodes: [
    fc(`${name}_w`, filter),
    node(name, op, ['img', `${name}_w`], { T: F, data_format: str('NHWC'), ...attr }),
  ],
  inputs: ['img'],
  output: name,
});
const reduce = (op: string, keep: boolean): Case => ({
  ops: [op],
  nodes: [
    ic(`${op}${keep}_ax`, [1], [1]),
    node(`${op}${keep}_r`, op, ['m', `${op}${keep}_ax`], { T: F, Tidx: I, keep_dims: { b: keep } }),
  ],
  inputs: ['m'],
  output: `${op}${keep}_r`,
});
const same = { strides: ints([1, 1, 1, 1]), padding: str('SAME'), dilations: ints([1, 1, 1, 1]) };

const CASES: Record<string, Case> = {
  ...Object.fromEntries(
    ['Add', 'AddV2', 'Sub', 'Mul', 'RealDiv', 'Div', 'Maximum', 'Minimum', 'SquaredDifference'].map(
      (op) => [op, binary(op)],
    ),
  ),
  ...Object.fromEntries(
    ['Equal', 'NotEqual', 'Less', 'LessEqual', 'Greater', 'GreaterEqual'].map((op) => [
      op,
      binary(op, 'DT_BOOL'),
    ]),
  ),
  Pow: {
    ops: ['Pow'],
    nodes: [fc('pow_e', [], [2]), node('pow', 'Pow', ['m', 'pow_e'], { T: F })],
    inputs: ['m'],
    output: 'pow',
  },
  FloorDiv: {
    ops: ['FloorDiv'],
    nodes: [fc('fd_c', [], [0.7]), node('fd', 'FloorDiv', ['m', 'fd_c'], { T: F })],
    inputs: ['m'],
    output: 'fd',
  },
  Logical: {
    ops: ['LogicalAnd', 'LogicalOr', 'LogicalNot', 'Select', 'SelectV2'],
    nodes: [
      fc('lg_z', [], [0]),
      fc('lg_h', [], [1]),
      node('lg_lt', 'Less', ['m', 'lg_h'], { T: F }),
      node('lg_gt', 'Greater', ['m', 'lg_z'], { T: F }),
      node('lg_and', 'LogicalAnd', ['lg_lt', 'lg_gt']),
      node('lg_or', 'LogicalOr', ['lg_lt', 'lg_gt']),
      node('lg_not', 'LogicalNot', ['lg_and']),
      node('lg_sel', 'Select', ['lg_or', 'm', 'lg_h'], { T: F }),
      node('lg_sel2', 'SelectV2', ['lg_not', 'lg_sel', 'lg_z'], { T: F }),
    ],
    inputs: ['m'],
    output: 'lg_sel2',
  },
  ...Object.fromEntries(
    [
      'Relu',
      'Relu6',
      'Elu',
      'Selu',
      'Sigmoid',
      'Tanh',
      'Softplus',
      'Exp',
      'Neg',
      'Abs',
      'Floor',
      'Ceil',
      'Round',
      'Sign',
      'Erf',
      'Sin',
      'Cos',
      'Square',
      'Identity',
      'Snapshot',
      'StopGradient',
      'Softmax',
      'LogSoftmax',
    ].map((op) => [op, unary(op)]),
  ),
  LeakyRelu: unary('LeakyRelu', { alpha: { f: 0.3 } }),
  Log: onAbs('Log', 1),
  Sqrt: onAbs('Sqrt', 0),
  Rsqrt: onAbs('Rsqrt', 1),
  Reciprocal: onAbs('Reciprocal', 1),
  Cast: {
    ops: ['Cast'],
    nodes: [
      node('cast_i', 'Cast', ['m'], { SrcT: F, DstT: I }),
      node('cast_f', 'Cast', ['cast_i'], { SrcT: I, DstT: F }),
      node('cast_k', 'Cast', ['k'], { SrcT: I, DstT: F }),
      node('cast_sum', 'AddV2', ['cast_f', 'cast_k'], { T: F }),
    ],
    inputs: ['m', 'k'],
    output: 'cast_sum',
  },
  IntMath: {
    ops: ['Mul', 'Sub', 'AddN'],
    nodes: [
      ic('im_c', [], [3]),
      node('im_mul', 'Mul', ['k', 'im_c'], { T: I }),
      node('im_sub', 'Sub', ['im_mul', 'k'], { T: I }),
      node('im_addn', 'AddN', ['im_sub', 'k', 'k'], { T: I, N: { i: '3' } }),
    ],
    inputs: ['k'],
    output: 'im_addn',
    dtype: 'DT_INT32',
  },
  BiasAdd: {
    ops: ['BiasAdd'],
    nodes: [
      fc('ba_b', [6]),
      node('ba', 'BiasAdd', ['m', 'ba_b'], { T: F, data_format: str('NHWC') }),
    ],
    inputs: ['m'],
    output: 'ba',
  },
  MatMul: {
    ops: ['MatMul'],
    nodes: [
      fc('mm_w', [6, 4]),
      fc('mm_wt', [5, 4]),
      node('mm', 'MatMul', ['m', 'mm_w'], {
        T: F,
        transpose_a: { b: false },
        transpose_b: { b: false },
      }),
      node('mm2', 'MatMul', ['mm', 'mm_wt'], {
        T: F,
        transpose_a: { b: false },
        transpose_b: { b: true },
      }),
    ],
    inputs: ['m'],
    output: 'mm2',
  },
  BatchMatMul: {
    ops: ['BatchMatMul', 'BatchMatMulV2', 'Reshape'],
    nodes: [
      ic('bmm_s', [3], [-1, 2, 3]),
      node('bmm_x', 'Reshape', ['m', 'bmm_s'], { T: F, Tshape: I }),
      fc('bmm_w', [3, 2]),
      fc('bmm_w2', [3, 2]),
      node('bmm', 'BatchMatMulV2', ['bmm_x', 'bmm_w'], {
        T: F,
        adj_x: { b: false },
        adj_y: { b: false },
      }),
      node('bmm2', 'BatchMatMul', ['bmm', 'bmm_w2'], {
        T: F,
        adj_x: { b: false },
        adj_y: { b: true },
      }),
    ],
    inputs: ['m'],
    output: 'bmm2',
  },
  Conv2D: conv('conv_same', 'Conv2D', [3, 3, 3, 4], same),
  Conv2DValid: conv('conv_valid', 'Conv2D', [2, 2, 3, 2], {
    strides: ints([1, 2, 2, 1]),
    padding: str('VALID'),
    dilations: ints([1, 1, 1, 1]),
  }),
  Conv2DDilated: conv('conv_dil', 'Conv2D', [2, 2, 3, 2], {
    ...same,
    dilations: ints([1, 2, 2, 1]),
  }),
  DepthwiseConv2dNative: conv('dw', 'DepthwiseConv2dNative', [3, 3, 3, 2], same),
  Pools: {
    ops: ['MaxPool', 'AvgPool', 'Relu', 'BiasAdd', 'Conv2D'],
    nodes: [
      fc('pl_w', [3, 3, 3, 4]),
      fc('pl_b', [4]),
      node('pl_conv', 'Conv2D', ['img', 'pl_w'], { T: F, data_format: str('NHWC'), ...same }),
      node('pl_bias', 'BiasAdd', ['pl_conv', 'pl_b'], { T: F, data_format: str('NHWC') }),
      node('pl_relu', 'Relu', ['pl_bias'], { T: F }),
      node('pl_max', 'MaxPool', ['pl_relu'], {
        T: F,
        ksize: ints([1, 2, 2, 1]),
        strides: ints([1, 2, 2, 1]),
        padding: str('SAME'),
        data_format: str('NHWC'),
      }),
      node('pl_avg', 'AvgPool', ['pl_relu'], {
        T: F,
        ksize: ints([1, 3, 3, 1]),
        strides: ints([1, 2, 2, 1]),
        padding: str('SAME'),
        data_format: str('NHWC'),
      }),
      node('pl_sum', 'AddV2', ['pl_max', 'pl_avg'], { T: F }),
    ],
    inputs: ['img'],
    output: 'pl_sum',
  },
  FusedBatchNorm: {
    ops: ['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3'],
    nodes: [
      fc('bn_s', [3], [1, 2, 0.5]),
      fc('bn_o', [3], [0, 0.1, -0.2]),
      fc('bn_m', [3], [0.1, -0.1, 0]),
      fc('bn_v', [3], [1, 0.5, 2]),
      ...['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3'].map((op, i) =>
        node(`bn${i}`, op, [i === 0 ? 'img' : `bn${i - 1}`, 'bn_s', 'bn_o', 'bn_m', 'bn_v'], {
          T: F,
          U: F,
          epsilon: { f: 0.001 },
          is_training: { b: false },
          data_format: str('NHWC'),
        }),
      ),
    ],
    inputs: ['img'],
    output: 'bn2',
  },
  Flatten: {
    ops: ['Shape', 'StridedSlice', 'Pack', 'Reshape', 'Prod'],
    nodes: [
      node('fl_shape', 'Shape', ['img'], { T: F, out_type: I }),
      ic('fl_b', [1], [0]),
      ic('fl_e', [1], [1]),
      ic('fl_s', [1], [1]),
      node('fl_n', 'StridedSlice', ['fl_shape', 'fl_b', 'fl_e', 'fl_s'], {
        T: I,
        Index: I,
        shrink_axis_mask: { i: '1' },
      }),
      ic('fl_b2', [1], [1]),
      ic('fl_e2', [1], [0]),
      node('fl_rest', 'StridedSlice', ['fl_shape', 'fl_b2', 'fl_e2', 'fl_s'], {
        T: I,
        Index: I,
        end_mask: { i: '1' },
      }),
      ic('fl_ax', [1], [0]),
      node('fl_prod', 'Prod', ['fl_rest', 'fl_ax'], { T: I, Tidx: I, keep_dims: { b: false } }),
      node('fl_pack', 'Pack', ['fl_n', 'fl_prod'], { T: I, N: { i: '2' }, axis: { i: '0' } }),
      node('fl', 'Reshape', ['img', 'fl_pack'], { T: F, Tshape: I }),
    ],
    inputs: ['img'],
    output: 'fl',
  },
  Axes: {
    ops: ['ExpandDims', 'Squeeze', 'Transpose', 'Size', 'Rank', 'Fill'],
    nodes: [
      ic('ax_a', [], [1]),
      node('ax_e', 'ExpandDims', ['m', 'ax_a'], { T: F, Tdim: I }),
      node('ax_s', 'Squeeze', ['ax_e'], { T: F, squeeze_dims: ints([1]) }),
      ic('ax_p', [2], [1, 0]),
      node('ax_t', 'Transpose', ['ax_s', 'ax_p'], { T: F, Tperm: I }),
      node('ax_size', 'Size', ['ax_t'], { T: F, out_type: I }),
      node('ax_rank', 'Rank', ['ax_t'], { T: F }),
      node('ax_sum', 'AddV2', ['ax_size', 'ax_rank'], { T: I }),
      node('ax_cast', 'Cast', ['ax_sum'], { SrcT: I, DstT: F }),
      node('ax_shape', 'Shape', ['ax_t'], { T: F, out_type: I }),
      node('ax_fill', 'Fill', ['ax_shape', 'ax_cast'], { T: F, index_type: I }),
      node('ax_out', 'Mul', ['ax_fill', 'ax_t'], { T: F }),
    ],
    inputs: ['m'],
    output: 'ax_out',
  },
  Joins: {
    ops: ['ConcatV2', 'Concat', 'Pack', 'Unpack', 'Slice', 'StridedSlice'],
    nodes: [
      ic('jn_ax', [], [1]),
      node('jn_c', 'ConcatV2', ['m', 'm', 'jn_ax'], { T: F, N: { i: '2' }, Tidx: I }),
      node('jn_c1', 'Concat', ['jn_ax', 'jn_c', 'm'], { T: F, N: { i: '2' } }),
      node('jn_p', 'Pack', ['m', 'm'], { T: F, N: { i: '2' }, axis: { i: '2' } }),
      node('jn_u', 'Unpack', ['jn_p'], { T: F, num: { i: '2' }, axis: { i: '2' } }),
      node('jn_add', 'AddV2', ['jn_u:1', 'm'], { T: F }),
      ic('jn_b', [2], [0, 1]),
      ic('jn_sz', [2], [-1, 3]),
      node('jn_sl', 'Slice', ['jn_c1', 'jn_b', 'jn_sz'], { T: F, Index: I }),
      ic('jn_sb', [2], [0, 17]),
      ic('jn_se', [2], [0, 2]),
      ic('jn_ss', [2], [1, -5]),
      node('jn_ss_out', 'StridedSlice', ['jn_c1', 'jn_sb', 'jn_se', 'jn_ss'], {
        T: F,
        Index: I,
        begin_mask: { i: '1' },
        end_mask: { i: '1' },
      }),
      node('jn_out', 'ConcatV2', ['jn_sl', 'jn_ss_out', 'jn_add', 'jn_ax'], {
        T: F,
        N: { i: '3' },
        Tidx: I,
      }),
    ],
    inputs: ['m'],
    output: 'jn_out',
  },
  Gathers: {
    ops: ['GatherV2', 'Gather', 'GatherNd', 'Tile', 'ZerosLike', 'OnesLike'],
    nodes: [
      ic('ga_i', [3], [0, 2, 5]),
      ic('ga_ax', [], [1]),
      node('ga', 'GatherV2', ['m', 'ga_i', 'ga_ax'], {
        Tparams: F,
        Tindices: I,
        Taxis: I,
        batch_dims: { i: '0' },
      }),
      ic('ga_r', [2], [2, 0]),
      node('ga_rows', 'Gather', ['ga', 'ga_r'], { Tparams: F, Tindices: I }),
      ic('ga_nd', [2, 2], [0, 1, 1, 2]),
      node('ga_ndo', 'GatherNd', ['ga_rows', 'ga_nd'], { Tparams: F, Tindices: I }),
      ic('ga_t', [1], [3]),
      node('ga_tile', 'Tile', ['ga_ndo', 'ga_t'], { T: F, Tmultiples: I }),
      node('ga_z', 'ZerosLike', ['ga_tile'], { T: F }),
      node('ga_o', 'OnesLike', ['ga_tile'], { T: F }),
      node('ga_zo', 'AddV2', ['ga_z', 'ga_o'], { T: F }),
      node('ga_out', 'AddV2', ['ga_zo', 'ga_tile'], { T: F }),
    ],
    inputs: ['m'],
    output: 'ga_out',
  },
  Pads: {
    ops: ['Pad', 'PadV2', 'MirrorPad'],
    nodes: [
      ic('pd_p', [2, 2], [1, 0, 0, 2]),
      node('pd', 'Pad', ['m', 'pd_p'], { T: F, Tpaddings: I }),
      fc('pd_v', [], [1.5]),
      node('pd2', 'PadV2', ['pd', 'pd_p', 'pd_v'], { T: F, Tpaddings: I }),
      node('pd3', 'MirrorPad', ['pd2', 'pd_p'], { T: F, Tpaddings: I, mode: str('REFLECT') }),
    ],
    inputs: ['m'],
    output: 'pd3',
  },
  Splits: {
    ops: ['Split', 'SplitV', 'ClipByValue', 'Einsum'],
    nodes: [
      ic('sp_ax', [], [1]),
      node('sp', 'Split', ['sp_ax', 'm'], { T: F, num_split: { i: '2' } }),
      ic('sp_sz', [2], [2, -1]),
      node('spv', 'SplitV', ['sp:1', 'sp_sz', 'sp_ax'], { T: F, Tlen: I, num_split: { i: '2' } }),
      fc('sp_lo', [], [-0.5]),
      fc('sp_hi', [], [0.5]),
      node('sp_clip', 'ClipByValue', ['spv:0', 'sp_lo', 'sp_hi'], { T: F }),
      fc('sp_w', [2, 3]),
      node('sp_es', 'Einsum', ['sp_clip', 'sp_w'], {
        T: F,
        N: { i: '2' },
        equation: str('ij,jk->ik'),
      }),
    ],
    inputs: ['m'],
    output: 'sp_es',
  },
  Range: {
    ops: ['Range', 'Shape', 'StridedSlice'],
    nodes: [
      node('rg_shape', 'Shape', ['m'], { T: F, out_type: I }),
      ic('rg_b', [1], [0]),
      ic('rg_e', [1], [1]),
      ic('rg_s', [1], [1]),
      node('rg_n', 'StridedSlice', ['rg_shape', 'rg_b', 'rg_e', 'rg_s'], {
        T: I,
        Index: I,
        shrink_axis_mask: { i: '1' },
      }),
      ic('rg_0', [], [0]),
      ic('rg_1', [], [1]),
      node('rg', 'Range', ['rg_0', 'rg_n', 'rg_1'], { Tidx: I }),
    ],
    inputs: ['m'],
    output: 'rg',
    dtype: 'DT_INT32',
  },
  OneHot: {
    ops: ['OneHot'],
    nodes: [
      ic('oh_d', [], [7]),
      fc('oh_on', [], [2]),
      fc('oh_off', [], [-1]),
      node('oh', 'OneHot', ['k', 'oh_d', 'oh_on', 'oh_off'], { T: F, TI: I, axis: { i: '-1' } }),
    ],
    inputs: ['k'],
    output: 'oh',
  },
  ...Object.fromEntries(
    ['Sum', 'Prod', 'Mean', 'Max', 'Min'].flatMap((op) => [
      [op, reduce(op, false)],
      [`${op}Keep`, reduce(op, true)],
    ]),
  ),
  AnyAll: {
    ops: ['Any', 'All'],
    nodes: [
      fc('aa_z', [], [0]),
      node('aa_gt', 'Greater', ['m', 'aa_z'], { T: F }),
      ic('aa_ax', [1], [1]),
      node('aa_any', 'Any', ['aa_gt', 'aa_ax'], { Tidx: I, keep_dims: { b: false } }),
      node('aa_all', 'All', ['aa_gt', 'aa_ax'], { Tidx: I, keep_dims: { b: false } }),
      node('aa_out', 'LogicalAnd', ['aa_any', 'aa_all']),
    ],
    inputs: ['m'],
    output: 'aa_out',
    dtype: 'DT_BOOL',
  },
  ArgMax: {
    ops: ['ArgMax', 'ArgMin'],
    nodes: [
      ic('am_ax', [], [1]),
      node('am', 'ArgMax', ['m', 'am_ax'], { T: F, Tidx: I, output_type: I }),
      node('an', 'ArgMin', ['m', 'am_ax'], { T: F, Tidx: I, output_type: I }),
      node('am_out', 'Sub', ['am', 'an'], { T: I }),
    ],
    inputs: ['m'],
    output: 'am_out',
    dtype: 'DT_INT32',
  },
};

const GRAPH = {
  graphDef: {
    node: [
      ...Object.entries(INPUTS).map(([name, { dims, dtype }]) => placeholder(name, dims, dtype)),
      ...Object.values(CASES).flatMap((c) => c.nodes),
    ],
  },
  signatureDef: Object.fromEntries(
    Object.entries(CASES).map(([key, c]) => [
      key,
      {
        inputs: Object.fromEntries(
          c.inputs.map((name) => [
            name,
            tensorInfo(`${name}:0`, INPUTS[name].dims, INPUTS[name].dtype),
          ]),
        ),
        outputs: { out: tensorInfo(`${c.output}:0`, [], c.dtype ?? 'DT_FLOAT') },
        methodName: 'tensorflow/serving/predict',
      },
    ]),
  ),
};

describe('every translated TensorFlow op matches TensorFlow.js', () => {
  let dir: string;
  let engines: { onnx: ModelExecutor; tfjs: ModelExecutor };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tf-onnx-ops-'));
    await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(GRAPH));
    engines = await loadBoth(dir);
  });

  afterAll(async () => {
    await engines?.onnx.dispose();
    await engines?.tfjs.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('on one signature per op (or op family), every output within 1e-5', async () => {
    expect(await compareAll(engines.onnx, engines.tfjs as SavedModelExecutor)).toBe(
      Object.keys(CASES).length,
    );
  });

  it('covers every op the registry translates that TensorFlow.js runs', () => {
    const covered = new Set(Object.values(CASES).flatMap((c) => c.ops));
    // Checked on whole SavedModels in ops/control-flow.ops.spec.ts and lookup-table.ops.spec.ts.
    const elsewhere = new Set(
      [CONTROL_FLOW_OPS, TENSOR_LIST_OPS, LOOKUP_TABLE_OPS].flatMap((f) => Object.keys(f)),
    );
    const untested = [...TF_ONNX_OPS.keys()].filter((op) => !covered.has(op) && !elsewhere.has(op));
    // TensorFlow.js cannot run these here: signature-translator.spec.ts checks them by value.
    expect(untested.sort()).toEqual(
      [
        'BatchMatMulV3',
        'BiasAddV1',
        'CheckNumerics',
        'EnsureShape',
        'IdentityN',
        'Inv',
        'PreventGradient',
        'Softsign',
      ].sort(),
    );
  });
});
