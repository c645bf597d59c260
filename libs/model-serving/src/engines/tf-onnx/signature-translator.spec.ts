/**
 * @jest-environment ./test/single-realm.environment.mjs
 */
// onnxruntime-node makes its output arrays in the main realm (see that environment's comment).
import * as ort from 'onnxruntime-node';
import { encodeOnnxModel } from '../onnx/onnx-model-writer.js';
import { fromNodeDef, type NodeMap } from '../saved-model/graph-node.js';
import { type NodeDefMsg } from '../saved-model/tf-messages.js';
import { missingTranslators, translateSignature } from './signature-translator.js';

const f32 = { type: 'DT_FLOAT' };
const placeholder = (name: string, dtype = 'DT_FLOAT'): NodeDefMsg => ({
  name,
  op: 'Placeholder',
  attr: { dtype: { type: dtype } },
});
const scalarConst = (name: string, tensor: object): NodeDefMsg => ({
  name,
  op: 'Const',
  attr: { dtype: { type: (tensor as { dtype: string }).dtype }, value: { tensor } },
});

function graph(defs: NodeDefMsg[]): NodeMap {
  return new Map(defs.map((def) => [def.name!, fromNodeDef(def)]));
}

const signature = (inputs: Record<string, string>, outputs: Record<string, string>) => ({
  methodName: 'tensorflow/serving/predict',
  inputs: Object.fromEntries(
    Object.entries(inputs).map(([k, name]) => [k, { name, dtype: 'float32' as const }]),
  ),
  outputs: Object.fromEntries(
    Object.entries(outputs).map(([k, name]) => [k, { name, dtype: 'float32' as const }]),
  ),
});

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]),
    );
  } finally {
    await session.release();
  }
}

describe('translateSignature', () => {
  const nodes = graph([
    placeholder('x'),
    scalarConst('half', { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [0.5] }),
    scalarConst('two', { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [2] }),
    scalarConst('k', { dtype: 'DT_INT64', tensorShape: {}, int64Val: ['3'] }),
    scalarConst('kk', { dtype: 'DT_INT64', tensorShape: {}, int64Val: ['4'] }),
    { name: 'folded', op: 'Mul', input: ['k', 'kk'], attr: { T: { type: 'DT_INT64' } } },
    {
      name: 'scale',
      op: 'Cast',
      input: ['folded'],
      attr: { SrcT: { type: 'DT_INT64' }, DstT: f32 },
    },
    { name: 'mul', op: 'Mul', input: ['x', 'half'], attr: { T: f32 } },
    { name: 'y', op: 'AddV2', input: ['mul', 'two'], attr: { T: f32 } },
    { name: 'z', op: 'Mul', input: ['y', 'scale'], attr: { T: f32 } },
    { name: 'odd', op: 'Unheard', input: ['x'], attr: {} },
  ]);
  const frozen = { nodes, library: new Map(), variables: new Map() };

  it('emits a model ONNX Runtime runs, folding constants into one initializer each', async () => {
    const translated = translateSignature(frozen, signature({ x: 'x:0' }, { y: 'y:0', z: 'z' }));
    // 3 * 4 and the cast fold at translation: only 0.5, 2 and 12 become initializers.
    expect(translated.model.initializers?.map((i) => i.dims)).toEqual([[], [], []]);
    const out = await run(encodeOnnxModel(translated.model), {
      [translated.inputs['x']!]: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]),
    });
    expect(out[translated.outputs['y']!]).toEqual([2.5, 3, 3.5]);
    expect(out[translated.outputs['z']!]).toEqual([30, 36, 42]);
  });

  it('names the same alias on both sides apart', () => {
    const translated = translateSignature(frozen, signature({ x: 'x:0' }, { x: 'y:0' }));
    expect(translated.inputs['x']).not.toEqual(translated.outputs['x']);
  });

  it('lists the ops no translator knows, only on the signature that needs them', () => {
    expect([...missingTranslators(frozen, signature({ x: 'x' }, { o: 'odd' }))]).toEqual([
      ['Unheard', 1],
    ]);
    expect(missingTranslators(frozen, signature({ x: 'x' }, { y: 'y' })).size).toBe(0);
  });

  it('translates the ops TensorFlow.js lacks, checked by value', async () => {
    const vector = (name: string, dims: number[], values: number[]): NodeDefMsg => ({
      name,
      op: 'Const',
      attr: {
        dtype: f32,
        value: {
          tensor: {
            dtype: 'DT_FLOAT',
            tensorShape: { dim: dims.map((size) => ({ size: String(size) })) },
            floatVal: values,
          },
        },
      },
    });
    const lacking = {
      nodes: graph([
        placeholder('x'),
        vector('bias', [2], [10, 20]),
        vector('w', [2, 2], [1, 0, 0, 2]),
        { name: 'a', op: 'PreventGradient', input: ['x'], attr: { T: f32 } },
        { name: 'b', op: 'CheckNumerics', input: ['a'], attr: { T: f32 } },
        { name: 'c', op: 'EnsureShape', input: ['b'], attr: { T: f32 } },
        {
          name: 'd',
          op: 'IdentityN',
          input: ['c', 'c'],
          attr: { T: { list: { type: ['DT_FLOAT', 'DT_FLOAT'] } } },
        },
        { name: 'inv', op: 'Inv', input: ['d:1'], attr: { T: f32 } },
        { name: 'softsign', op: 'Softsign', input: ['x'], attr: { T: f32 } },
        { name: 'bias_v1', op: 'BiasAddV1', input: ['x', 'bias'], attr: { T: f32 } },
        {
          name: 'bmm',
          op: 'BatchMatMulV3',
          input: ['x', 'w'],
          attr: { Ta: f32, Tb: f32, Tout: f32 },
        },
      ]),
      library: new Map(),
      variables: new Map(),
    };
    const translated = translateSignature(
      lacking,
      signature({ x: 'x' }, { inv: 'inv', softsign: 'softsign', bias_v1: 'bias_v1', bmm: 'bmm' }),
    );
    const out = await run(encodeOnnxModel(translated.model), {
      [translated.inputs['x']!]: new ort.Tensor(
        'float32',
        Float32Array.from([1, 2, 4, -1]),
        [2, 2],
      ),
    });
    const of = (alias: string) => out[translated.outputs[alias]!];
    expect(of('inv')).toEqual([1, 0.5, 0.25, -1]);
    expect(of('softsign')).toEqual([0.5, 2 / 3, 0.8, -0.5].map(Math.fround));
    expect(of('bias_v1')).toEqual([11, 22, 14, 19]);
    expect(of('bmm')).toEqual([1, 4, 4, -2]);
  });
});
