import { FunctionInliner } from './function-inliner.js';
import { type GraphNode, type NodeMap } from './graph-node.js';
import { OpRegistry } from './op-registry.js';
import { type FunctionDefMsg } from './tf-messages.js';

const n = (name: string, op: string, input: string[] = [], attr: GraphNode['attr'] = {}) => ({
  name,
  op,
  input,
  attr,
});
const call = (name: string, f: string, input: string[], tout: string[]) =>
  n(name, 'StatefulPartitionedCall', input, {
    f: { func: { name: f } },
    Tout: { list: { type: tout } },
  });

/** inner(a) = (a * a, Split(a) halves); outer(x) = inner(x)[1] + 1, both outputs kept. */
const LIBRARY: FunctionDefMsg[] = [
  {
    signature: {
      name: 'inner',
      inputArg: [{ name: 'a', type: 'DT_FLOAT' }],
      outputArg: [
        { name: 'sq', type: 'DT_FLOAT' },
        { name: 'second', type: 'DT_FLOAT' },
      ],
    },
    nodeDef: [
      n('square', 'Mul', ['a', 'a']),
      n('axis', 'Const'),
      n('halves', 'Split', ['axis:output:0', 'a'], { num_split: { i: '2' } }),
    ],
    ret: { sq: 'square:z:0', second: 'halves:output:1' },
  },
  {
    signature: {
      name: 'outer',
      inputArg: [{ name: 'x', type: 'DT_FLOAT' }],
      outputArg: [{ name: 'out', type: 'DT_FLOAT' }],
    },
    nodeDef: [
      call('inner_call', 'inner', ['x', '^x'], ['DT_FLOAT', 'DT_FLOAT']),
      n('one', 'Const'),
      n('plus', 'AddV2', ['inner_call:output:1', 'one:output:0', '^inner_call']),
    ],
    ret: { out: 'plus:z:0' },
  },
];

describe('FunctionInliner', () => {
  it('inlines nested calls, mapping arguments, named outputs and list outputs', () => {
    const nodes: NodeMap = new Map(
      [
        n('x', 'Placeholder'),
        call('c', 'outer', ['x'], ['DT_FLOAT']),
        n('y', 'Identity', ['c']),
      ].map((node) => [node.name, node]),
    );
    const library = new Map(LIBRARY.map((fn) => [fn.signature!.name!, fn]));
    const ops = new OpRegistry([], LIBRARY);
    new FunctionInliner(nodes, library, ops).inlineReachable(['y']);
    expect(nodes.get('c')).toMatchObject({ op: 'Identity', input: ['c/plus'] });
    expect(nodes.get('c/plus')!.input).toEqual(['c/inner_call:1', 'c/one']);
    expect(nodes.get('c/inner_call')).toMatchObject({
      op: 'IdentityN',
      input: ['c/inner_call/square', 'c/inner_call/halves:1'],
      attr: { T: { list: { type: ['DT_FLOAT', 'DT_FLOAT'] } } },
    });
    expect(nodes.get('c/inner_call/square')!.input).toEqual(['x', 'x']);
    expect(nodes.get('c/inner_call/halves')!.input).toEqual(['c/inner_call/axis', 'x']);
    expect([...nodes.values()].some((node) => node.op === 'StatefulPartitionedCall')).toBe(false);
  });

  it('names the missing function', () => {
    const nodes: NodeMap = new Map([['c', call('c', 'nowhere', [], [])]]);
    const inliner = new FunctionInliner(nodes, new Map(), new OpRegistry([], []));
    expect(() => inliner.inlineReachable(['c'])).toThrow(
      "node 'c' calls function 'nowhere', which the SavedModel's function library lacks",
    );
  });

  it('fills attributes from OpDef defaults and resolves outputs through OpDefs', () => {
    const ops = new OpRegistry(
      [
        {
          name: 'Pair',
          outputArg: [
            { name: 'first', typeListAttr: 'Ta' },
            { name: 'second', type: 'DT_FLOAT' },
          ],
          attr: [{ name: 'Ta', defaultValue: { list: { type: ['DT_FLOAT', 'DT_INT32'] } } }],
        },
      ],
      [],
    );
    const node = n('p', 'Pair');
    ops.fillDefaults(node);
    expect(ops.outputIndex(node, 'second', 0)).toBe(2);
    expect(ops.outputIndex(node, 'first', 1)).toBe(1);
    expect(ops.outputIndex(n('s', 'Split', [], { num_split: { i: '3' } }), 'output', 2)).toBe(2);
    expect(ops.outputIndex(n('b', 'FusedBatchNormV3'), 'batch_variance', 0)).toBe(2);
    expect(() => ops.outputIndex(node, 'third', 0)).toThrow(/has no output named 'third'/);
  });
});
