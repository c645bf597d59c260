import { type SignatureDef } from '../../models/signature.js';
import { TF_DTYPE_NAMES } from '../../tensor/tensor-data.js';
import { type OnnxModel, type OnnxValue } from '../onnx/onnx-model-writer.js';
import { dataInputs, type GraphNode, type NodeMap, parseRef } from '../saved-model/graph-node.js';
import { type FunctionDefMsg } from '../saved-model/tf-messages.js';
import { fromTensorProto, type HostTensor, onnxType } from './host-tensor.js';
import { type LookupTableContents } from './lookup-tables.js';
import { type OpScope } from './op-translator.js';
import { SOURCE_OPS, TF_ONNX_OPS } from './tf-onnx-ops.js';
import { TranslationContext } from './translation-context.js';
import { type TfValue } from './tf-value.js';
import { Untranslatable } from './untranslatable.js';

/** The frozen graph every signature of a version is cut from. */
export interface FrozenGraph {
  readonly nodes: NodeMap;
  readonly library: ReadonlyMap<string, FunctionDefMsg>;
  /** Values of frozen variables (`Const` nodes with a checkpoint key), by node name. */
  readonly variables: ReadonlyMap<string, HostTensor>;
  /** Lookup tables' contents, by table node name. */
  readonly tables?: ReadonlyMap<string, LookupTableContents>;
}

/** One signature as an ONNX model, and how its aliases name the model's values. */
export interface TranslatedSignature {
  readonly model: OnnxModel;
  /** Input alias → ONNX graph input name. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output alias → ONNX graph output name. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** Nodes from the outputs back to the fed nodes, inputs before the nodes that use them. */
function topologicalOrder(nodes: NodeMap, roots: string[], fed: ReadonlySet<string>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { name: string; expanded: boolean }[] = roots.map((name) => ({
    name,
    expanded: false,
  }));
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      state.set(top.name, 'done');
      order.push(top.name);
      continue;
    }
    if (state.has(top.name)) continue;
    state.set(top.name, 'open');
    stack.push({ name: top.name, expanded: true });
    if (fed.has(top.name)) continue;
    const node = nodes.get(top.name);
    if (!node) throw new Untranslatable('?', `node '${top.name}' is missing`);
    for (const ref of dataInputs(node)) {
      const from = parseRef(ref).node;
      if (!state.has(from)) stack.push({ name: from, expanded: false });
    }
  }
  return order;
}

/** Ops of the signature's nodes that no translator handles, with the nodes that use them. */
export function missingTranslators(
  graph: FrozenGraph,
  signature: SignatureDef,
): Map<string, number> {
  const fed = new Set(Object.values(signature.inputs).map((spec) => parseRef(spec.name).node));
  const roots = Object.values(signature.outputs).map((spec) => parseRef(spec.name).node);
  const missing = new Map<string, number>();
  for (const name of topologicalOrder(graph.nodes, roots, fed)) {
    if (fed.has(name)) continue;
    const op = graph.nodes.get(name)!.op;
    if (!SOURCE_OPS.has(op) && !TF_ONNX_OPS.has(op)) missing.set(op, (missing.get(op) ?? 0) + 1);
  }
  return missing;
}

function sourceValue(node: GraphNode, graph: FrozenGraph, ctx: TranslationContext): TfValue[] {
  if (node.op === 'Const') {
    const variable = graph.variables.get(node.name);
    const tensor = node.attr['value']?.tensor;
    if (!variable && !tensor) throw new Untranslatable('Const', `'${node.name}' has no value`);
    return [ctx.constant(variable ?? fromTensorProto(node.name, tensor!), node.name)];
  }
  throw new Untranslatable(node.op, `'${node.name}' is not fed by the signature`);
}

/**
 * Translates one signature of the frozen graph to an ONNX model (opset 17): inputs are named by
 * their aliases and declared without a shape (TensorFlow does not enforce a placeholder's), the
 * graph is walked from the outputs back to the fed tensors, and each node goes to its op's
 * translator with its inputs' values, constants folding as they meet.
 * @throws Untranslatable for the first node that cannot be expressed in ONNX
 */
export function translateSignature(
  graph: FrozenGraph,
  signature: SignatureDef,
): TranslatedSignature {
  const ctx = new TranslationContext();
  const scope: OpScope = { ctx, library: graph.library, tables: graph.tables };
  const fedRefs = new Map<string, TfValue>();
  const inputs: Record<string, string> = {};
  const onnxInputs: OnnxValue[] = [];
  for (const [alias, spec] of Object.entries(signature.inputs)) {
    const ref = parseRef(spec.name);
    const node = graph.nodes.get(ref.node);
    const dtype = node?.attr['dtype']?.type ?? spec.tfDtype ?? TF_DTYPE_NAMES[spec.dtype];
    const type = onnxType(dtype);
    if (type === undefined) throw new Untranslatable('Placeholder', `input dtype ${dtype}`);
    const name = ctx.fresh(alias);
    inputs[alias] = name;
    onnxInputs.push({ name, type });
    fedRefs.set(`${ref.node}:${ref.index}`, ctx.value(name, dtype, spec.shape));
  }
  const fed = new Set([...fedRefs.keys()].map((ref) => parseRef(ref).node));
  const outputNodes = Object.values(signature.outputs).map((spec) => parseRef(spec.name).node);
  const values = new Map<string, readonly TfValue[]>();
  const resolve = (ref: string): TfValue => {
    const { node, index } = parseRef(ref);
    const value = fedRefs.get(`${node}:${index}`) ?? values.get(node)?.[index];
    if (!value) throw new Untranslatable('?', `tensor '${ref}' has no translated value`);
    return value;
  };
  for (const name of topologicalOrder(graph.nodes, outputNodes, fed)) {
    if (fed.has(name)) continue;
    const node = graph.nodes.get(name)!;
    const args = dataInputs(node).map(resolve);
    if (node.op === 'PlaceholderWithDefault') values.set(name, args);
    else if (SOURCE_OPS.has(node.op)) values.set(name, sourceValue(node, graph, ctx));
    else {
      const translator = TF_ONNX_OPS.get(node.op);
      if (!translator) throw new Untranslatable(node.op, 'no translator');
      values.set(name, translator(node, args, scope));
    }
  }
  const outputs: Record<string, string> = {};
  const onnxOutputs: OnnxValue[] = [];
  for (const [alias, spec] of Object.entries(signature.outputs)) {
    const value = resolve(spec.name);
    const type = onnxType(value.dtype);
    if (type === undefined) throw new Untranslatable('?', `output dtype ${value.dtype}`);
    const name = ctx.fresh(alias);
    ctx.nodes.push({ op: 'Identity', inputs: [value.name()], outputs: [name] });
    outputs[alias] = name;
    onnxOutputs.push({ name, type });
  }
  return {
    model: {
      inputs: onnxInputs,
      outputs: onnxOutputs,
      nodes: ctx.nodes,
      initializers: ctx.initializers,
      opset: 17,
      domains: Object.fromEntries(ctx.domains),
    },
    inputs,
    outputs,
  };
}
