import { ONNX_TYPE, type OnnxValue } from '../../onnx/onnx-model-writer.js';
import { type GraphNode } from '../../saved-model/graph-node.js';
import { type FunctionDefMsg, type TensorShapeMsg } from '../../saved-model/tf-messages.js';
import { libraryFunction, translateFunction } from '../function-body.js';
import { elementCount, onnxType } from '../host-tensor.js';
import { type OpFamily, type OpScope, type OpTranslator } from '../op-translator.js';
import { type TranslationContext } from '../translation-context.js';
import { type Dim, type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { input } from './attrs.js';
import { listStateOf, listValue, type ScanSlot } from './tensor-list.ops.js';

/** A shape attribute's dimensions (-1 unknown), or undefined for an unknown rank. */
function dimsOf(shape: TensorShapeMsg | undefined): Dim[] | undefined {
  if (!shape || shape.unknownRank) return undefined;
  return (shape.dim ?? []).map((d) => Number(d.size ?? -1));
}

/** The function node a body reference (`node:out:i` or an argument) names, past `Identity`s. */
function traceBody(fn: FunctionDefMsg, ref: string): { arg?: string; node?: GraphNode } {
  const args = new Set((fn.signature?.inputArg ?? []).map((a) => a.name ?? ''));
  const nodes = new Map((fn.nodeDef ?? []).map((n) => [n.name ?? '', n]));
  let current = ref;
  for (let hops = 0; hops < 100; hops++) {
    const [head = ''] = current.split(':');
    if (args.has(head)) return { arg: head };
    const def = nodes.get(head);
    if (!def) return {};
    const inputs = (def.input ?? []).filter((r) => !r.startsWith('^'));
    if (def.op !== 'Identity' || inputs[0] === undefined) {
      return { node: { name: head, op: def.op ?? '', input: inputs, attr: def.attr ?? {} } };
    }
    current = inputs[0];
  }
  return {};
}

/** Whether `value` is the scalar constant `n`. */
function isScalar(value: TfValue | undefined, n: number): boolean {
  const data = value?.constant?.data;
  return data !== undefined && !Array.isArray(data) && data.length === 1 && Number(data[0]!) === n;
}

/** The loop variables that count iterations from 0: they start at 0 and the body adds 1. */
function stepCounters(body: FunctionDefMsg, inputs: readonly TfValue[]): number[] {
  const args = (body.signature?.inputArg ?? []).map((a) => a.name ?? '');
  return (body.signature?.outputArg ?? []).flatMap((out, k) => {
    if (!isScalar(inputs[k], 0)) return [];
    const { node } = traceBody(body, body.ret?.[out.name ?? ''] ?? '');
    if (!node || (node.op !== 'AddV2' && node.op !== 'Add')) return [];
    const sides = node.input.map((ref) => traceBody(body, ref));
    const own = sides.findIndex((side) => side.arg === args[k]);
    const step = sides[1 - own]?.node?.attr['value']?.tensor;
    const one = Number(step?.intVal?.[0] ?? step?.int64Val?.[0] ?? NaN) === 1;
    return own >= 0 && one ? [k] : [];
  });
}

/** Which loop variables the body returns unchanged (weights, read-only lists, bounds). */
function passedThrough(body: FunctionDefMsg): boolean[] {
  const args = (body.signature?.inputArg ?? []).map((a) => a.name ?? '');
  return (body.signature?.outputArg ?? []).map(
    (out, k) => traceBody(body, body.ret?.[out.name ?? ''] ?? '').arg === args[k],
  );
}

/** A scalar bool for ONNX's condition inputs (TensorFlow also takes numbers: non-zero). */
function asCondition(node: GraphNode, ctx: TranslationContext, value: TfValue): string {
  if (value.shape && elementCount(value.shape.map((d) => (d < 0 ? 2 : d))) !== 1) {
    throw new Untranslatable(node.op, 'a predicate that is not a scalar');
  }
  if (value.dtype === 'DT_BOOL') return value.name();
  if (value.dtype === 'DT_STRING') throw new Untranslatable(node.op, 'a string predicate');
  return ctx.emit1({ op: 'Cast', inputs: [value.name()], attributes: { to: ONNX_TYPE.bool } });
}

function typeOf(node: GraphNode, dtype: string): number {
  const type = onnxType(dtype);
  if (type === undefined) throw new Untranslatable(node.op, `a loop value of dtype ${dtype}`);
  return type;
}

/** How a TensorFlow loop variable lives in the ONNX `Loop`. */
type LoopVar =
  | { readonly kind: 'captured' }
  | { readonly kind: 'carried'; readonly dtype: string; readonly shape?: readonly Dim[] }
  | { readonly kind: 'scan'; readonly dtype: string };

/**
 * `While` / `StatelessWhile` as ONNX `Loop`, driven by its condition: the cond function is
 * translated once before the loop (the first test) and once at the end of the body (the next
 * one). Variables the body returns unchanged are not carried (the body reads the outer values,
 * so frozen weights stay initializers and fold); TensorLists reserved before the loop and
 * written at the iteration index become scan outputs (ONNX Runtime stacks them without
 * copying the list each step); everything else is carried.
 */
const whileLoop: OpTranslator = (node, inputs, scope) => {
  const { ctx } = scope;
  const cond = libraryFunction(scope, node.op, node.attr['cond']?.func?.name);
  const body = libraryFunction(scope, node.op, node.attr['body']?.func?.name);
  const shapes = node.attr['output_shapes']?.list?.shape ?? [];
  const unchanged = passedThrough(body);
  const vars: LoopVar[] = inputs.map((value, k) => {
    const list = listStateOf(value);
    if (unchanged[k]) return { kind: 'captured' };
    if (list?.kind === 'reserved') return { kind: 'scan', dtype: list.dtype };
    if (list) throw new Untranslatable(node.op, `a ${list.kind} list changed by the body`);
    const shape = dimsOf(shapes[k]) ?? value.shape?.map(() => -1);
    return { kind: 'carried', dtype: value.dtype, ...(shape ? { shape } : {}) };
  });
  const first = translateFunction(cond, inputs, scope)[0];
  if (!first) throw new Untranslatable(node.op, 'its cond function answers nothing');
  if (isScalar(first, 0)) return inputs;
  const counters = stepCounters(body, inputs);
  const carriedNames = vars.map((v, k) =>
    v.kind === 'carried' ? ctx.fresh(`${node.name}/var_${k}`) : '',
  );
  const bodyInputs: OnnxValue[] = [
    { name: ctx.fresh(`${node.name}/iteration`), type: ONNX_TYPE.int64, shape: [] },
    { name: ctx.fresh(`${node.name}/cond_in`), type: ONNX_TYPE.bool, shape: [] },
    ...vars.flatMap((v, k) =>
      v.kind === 'carried' ? [{ name: carriedNames[k]!, type: typeOf(node, v.dtype) }] : [],
    ),
  ];
  const slots = new Map<number, ScanSlot>();
  const graph = ctx.subgraph(
    bodyInputs,
    (inner) => {
      const innerScope: OpScope = { ...scope, ctx: inner };
      const args = inputs.map((value, k) => {
        const v = vars[k]!;
        return v.kind === 'carried' ? inner.value(carriedNames[k]!, v.dtype, v.shape) : value;
      });
      const indices = counters.map((k) => args[k]!);
      vars.forEach((v, k) => {
        if (v.kind !== 'scan') return;
        const slot: ScanSlot = { dtype: v.dtype, counters: indices };
        slots.set(k, slot);
        args[k] = listValue({ kind: 'scan', slot });
      });
      const next = translateFunction(body, args, innerScope);
      const test = translateFunction(cond, next, innerScope)[0]!;
      const outs: { value: string; type: number }[] = [
        { value: asCondition(node, inner, test), type: ONNX_TYPE.bool },
      ];
      vars.forEach((v, k) => {
        if (v.kind === 'carried')
          outs.push({ value: next[k]!.name(), type: typeOf(node, v.dtype) });
      });
      for (const [k, slot] of slots) {
        if (listStateOf(next[k]!)?.kind !== 'written' || !slot.item) {
          throw new Untranslatable(node.op, 'a reserved list the body does not write');
        }
        outs.push({ value: slot.item.name(), type: typeOf(node, slot.dtype) });
      }
      // Outputs are made inside the body: ONNX does not let a body answer outer values.
      return outs.map(({ value, type }) => ({
        name: inner.emit1({ op: 'Identity', inputs: [value] }, `${node.name}/out`),
        type,
      }));
    },
    `${node.name}/body`,
  );
  const carried = vars.flatMap((v, k) => (v.kind === 'carried' ? [inputs[k]!.name()] : []));
  const outputs = ctx.emit(
    {
      op: 'Loop',
      inputs: ['', asCondition(node, ctx, first), ...carried],
      attributes: { body: { graph } },
      outputs: carried.length + slots.size,
    },
    node.name,
  );
  let c = 0;
  let s = carried.length;
  return vars.map((v, k) => {
    if (v.kind === 'captured') return inputs[k]!;
    if (v.kind === 'carried') return ctx.value(outputs[c++]!, v.dtype, v.shape);
    const item = slots.get(k)!.item!;
    const shape = item.shape ? [-1, ...item.shape] : undefined;
    return listValue({ kind: 'stacked', tensor: ctx.value(outputs[s++]!, v.dtype, shape) });
  });
};

/**
 * `If` / `StatelessIf` as ONNX `If` (a constant predicate picks its branch at translation):
 * each branch function becomes a subgraph reading the op's inputs from the outer graph.
 */
const ifElse: OpTranslator = (node, inputs, scope) => {
  const { ctx } = scope;
  const predicate = input(node, inputs, 0);
  const args = inputs.slice(1);
  const branches = ['then_branch', 'else_branch'].map((attr) =>
    libraryFunction(scope, node.op, node.attr[attr]?.func?.name),
  );
  const data = predicate.constant?.data;
  if (data && !Array.isArray(data) && data.length === 1) {
    return translateFunction(branches[Number(data[0]!) !== 0 ? 0 : 1]!, args, scope);
  }
  const condition = asCondition(node, ctx, predicate);
  const results: TfValue[][] = [];
  const graphs = branches.map((fn, b) =>
    ctx.subgraph(
      [],
      (inner) => {
        const outs = translateFunction(fn, args, { ...scope, ctx: inner });
        results.push(outs);
        return outs.map((v) => ({
          name: inner.emit1({ op: 'Identity', inputs: [v.name()] }, `${node.name}/out`),
          type: typeOf(node, v.dtype),
        }));
      },
      `${node.name}/${b === 0 ? 'then' : 'else'}`,
    ),
  );
  const [thens, elses] = results as [TfValue[], TfValue[]];
  if (thens.length !== elses.length || thens.some((v, i) => v.dtype !== elses[i]!.dtype)) {
    throw new Untranslatable(node.op, 'its branches answer different dtypes');
  }
  const outputs = ctx.emit(
    {
      op: 'If',
      inputs: [condition],
      attributes: { then_branch: { graph: graphs[0]! }, else_branch: { graph: graphs[1]! } },
      outputs: thens.length,
    },
    node.name,
  );
  return thens.map((v, i) => {
    const other = elses[i]!.shape;
    const shape =
      v.shape && other && v.shape.length === other.length
        ? v.shape.map((d, j) => (d === other[j] ? d : -1))
        : undefined;
    return ctx.value(outputs[i]!, v.dtype, shape);
  });
};

/**
 * `ReadVariableOp` in a loop body or branch, of a resource the op passes in: freezing made the
 * variable a constant outside, so the read is that value.
 */
const readVariable: OpTranslator = (node, inputs) => {
  const value = input(node, inputs, 0);
  if (!value.constant) throw new Untranslatable(node.op, 'a variable that is not frozen');
  return [value];
};

export const CONTROL_FLOW_OPS: OpFamily = {
  While: whileLoop,
  StatelessWhile: whileLoop,
  ReadVariableOp: readVariable,
  If: ifElse,
  StatelessIf: ifElse,
};
