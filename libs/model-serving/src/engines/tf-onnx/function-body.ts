import { dataInputs, fromNodeDef, type GraphNode } from '../saved-model/graph-node.js';
import { OpRegistry } from '../saved-model/op-registry.js';
import { type FunctionDefMsg } from '../saved-model/tf-messages.js';
import { fromTensorProto } from './host-tensor.js';
import { type OpScope } from './op-translator.js';
import { TF_ONNX_OPS } from './tf-onnx-ops.js';
import { type TfValue } from './tf-value.js';
import { Untranslatable } from './untranslatable.js';

// Without the SavedModel's OpDefs, body references resolve through the built-in table of
// multi-output ops (what the inliner falls back to as well).
const OPS = new OpRegistry([], []);

/** A library function by name, or why a control-flow op cannot be translated. */
export function libraryFunction(scope: OpScope, op: string, name: string | undefined) {
  const fn = name === undefined ? undefined : scope.library.get(name);
  if (!fn) throw new Untranslatable(op, `function '${name ?? '?'}' is not in the library`);
  return fn;
}

/**
 * Translates a library function's body (a `While`'s cond or body, an `If`'s branch) into
 * `scope.ctx` with `args` as its arguments, and answers its results in `outputArg` order. Only
 * the nodes the results need are translated, so arguments nothing reads cost nothing.
 * @throws Untranslatable for a node no translator handles, or a call to another function
 */
export function translateFunction(
  fn: FunctionDefMsg,
  args: readonly TfValue[],
  scope: OpScope,
): TfValue[] {
  const name = fn.signature?.name ?? '?';
  const argNames = (fn.signature?.inputArg ?? []).map((a) => a.name ?? '');
  if (argNames.length !== args.length) {
    throw new Untranslatable(name, `takes ${argNames.length} arguments, given ${args.length}`);
  }
  const argValues = new Map(argNames.map((a, i) => [a, args[i]!]));
  const nodes = new Map<string, GraphNode>(
    (fn.nodeDef ?? []).map((def) => [def.name ?? '', fromNodeDef(def)]),
  );
  const values = new Map<string, readonly TfValue[]>();
  const resolve = (ref: string): TfValue => {
    const [head = '', outArg, index] = ref.split(':');
    const arg = argValues.get(head);
    if (arg && outArg === undefined) return arg;
    const node = nodes.get(head);
    if (!node) throw new Untranslatable(name, `reference '${ref}' names no node or argument`);
    const flat = index === undefined ? Number(outArg ?? 0) : OPS.outputIndex(node, outArg!, +index);
    const value = translateNode(node)[flat];
    if (!value) throw new Untranslatable(node.op, `'${node.name}' has no output ${flat}`);
    return value;
  };
  const open = new Set<string>();
  const translateNode = (node: GraphNode): readonly TfValue[] => {
    const done = values.get(node.name);
    if (done) return done;
    if (open.has(node.name)) throw new Untranslatable(node.op, `'${node.name}' is in a cycle`);
    open.add(node.name);
    const inputs = dataInputs(node).map(resolve);
    let out: readonly TfValue[];
    if (node.op === 'Const') {
      const tensor = node.attr['value']?.tensor;
      if (!tensor) throw new Untranslatable('Const', `'${node.name}' has no value`);
      out = [scope.ctx.constant(fromTensorProto(`${name}/${node.name}`, tensor), node.name)];
    } else {
      const translator = TF_ONNX_OPS.get(node.op);
      if (!translator) {
        throw new Untranslatable(node.op, `no translator (in function '${name}')`);
      }
      out = translator(node, inputs, scope);
    }
    open.delete(node.name);
    values.set(node.name, out);
    return out;
  };
  return (fn.signature?.outputArg ?? []).map((a) => {
    const ret = fn.ret?.[a.name ?? ''];
    if (ret === undefined) throw new Untranslatable(name, `output '${a.name}' has no ret`);
    return resolve(ret);
  });
}
