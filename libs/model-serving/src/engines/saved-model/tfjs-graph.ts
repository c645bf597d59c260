import { type io } from '@tensorflow/tfjs-core';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type CheckpointEntry } from './checkpoint-index.js';
import { type GraphNode, type NodeMap } from './graph-node.js';
import { type TableInitializer } from './table-initializer.js';
import { knownShape } from './tensor-values.js';
import { dtypeMapping } from './tf-dtypes.js';
import {
  type AttrListMsg,
  type AttrValueMsg,
  type FunctionDefMsg,
  type NameAttrListMsg,
  type NodeDefMsg,
  type TensorProtoMsg,
} from './tf-messages.js';

/** Where a weight's value comes from: the checkpoint, or a `Const` node's TensorProto. */
export type WeightSource =
  | { readonly kind: 'checkpoint'; readonly node: string; readonly entry: CheckpointEntry }
  | { readonly kind: 'tensor'; readonly node: string; readonly tensor: TensorProtoMsg };

/** A graph in TensorFlow.js's model.json form, with its weights still to be read. */
export interface TfjsGraph {
  readonly modelTopology: {
    node: object[];
    library: { function: object[] };
    versions: { producer?: number; minConsumer?: number };
  };
  readonly weightSpecs: io.WeightsManifestEntry[];
  /** One per weight spec, in the same order. */
  readonly weights: readonly WeightSource[];
  /** The graph TensorFlow.js runs once before the first request (it fills lookup tables). */
  readonly modelInitializer?: { node: object[]; versions: TfjsGraph['modelTopology']['versions'] };
  /** The initializer's outputs: the nodes TensorFlow.js runs it to. */
  readonly initializerSignature?: { outputs: Record<string, { name: string }> };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
/** tfjs's graph parser knows only a few `DT_*` names: others map to what tfjs computes in. */
const graphType = (type: string) => dtypeMapping(type)?.graphName ?? type;

function funcJson(func: NameAttrListMsg): object {
  return { name: func.name, attr: attrsJson(func.attr ?? {}) };
}

function listJson(list: AttrListMsg): object {
  return {
    ...list,
    ...(list.s ? { s: list.s.map(base64) } : {}),
    ...(list.type ? { type: list.type.map(graphType) } : {}),
    ...(list.func ? { func: list.func.map(funcJson) } : {}),
  };
}

/** An attribute in protobuf-JSON form (bytes as base64), as tfjs's model.json holds it. */
function attrJson(value: AttrValueMsg): object {
  return {
    ...value,
    ...(value.s !== undefined ? { s: base64(value.s) } : {}),
    ...(value.type !== undefined ? { type: graphType(value.type) } : {}),
    ...(value.list ? { list: listJson(value.list) } : {}),
    ...(value.func ? { func: funcJson(value.func) } : {}),
  };
}

/** Attributes without TensorFlow's internal `_…` ones. */
function attrsJson(attrs: Readonly<Record<string, AttrValueMsg>>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith('_')) out[key] = attrJson(value);
  }
  return out;
}

function nodeJson(node: {
  name?: string;
  op?: string;
  input?: string[];
  attr?: Record<string, AttrValueMsg>;
}): object {
  return {
    name: node.name,
    op: node.op,
    input: node.input ?? [],
    attr: attrsJson(node.attr ?? {}),
  };
}

/**
 * A library function in model.json form. tfjs looks up a body's `Const` values among the
 * model's weights by node name, so each becomes a weight named `<function>/<node>` (unique
 * across functions) and the body's references follow the rename.
 */
function functionJson(fn: FunctionDefMsg, addWeight: (node: GraphNode) => object): object {
  const prefix = fn.signature?.name ?? '';
  const consts = new Set((fn.nodeDef ?? []).filter((n) => n.op === 'Const').map((n) => n.name));
  const rename = (ref: string) => {
    const control = ref.startsWith('^');
    const [head = '', ...rest] = (control ? ref.slice(1) : ref).split(':');
    if (!consts.has(head)) return ref;
    return `${control ? '^' : ''}${[`${prefix}/${head}`, ...rest].join(':')}`;
  };
  const nodeDef = (fn.nodeDef ?? []).map((n: NodeDefMsg) =>
    n.op === 'Const'
      ? addWeight({ name: `${prefix}/${n.name}`, op: 'Const', input: [], attr: { ...n.attr } })
      : nodeJson({ ...n, input: (n.input ?? []).map(rename) }),
  );
  const ret = Object.fromEntries(Object.entries(fn.ret ?? {}).map(([k, v]) => [k, rename(v)]));
  return { ...fn, nodeDef, ret, attr: attrsJson(fn.attr ?? {}) };
}

/** A `Const` node as a weight: its spec, its source, and its node without the value. */
function constWeight(node: GraphNode): {
  spec: io.WeightsManifestEntry;
  source: WeightSource;
  json: object;
} {
  const tensor = node.attr['value']?.tensor;
  const dtypeName = tensor?.dtype ?? node.attr['dtype']?.type;
  const mapping = dtypeMapping(dtypeName);
  const shape = knownShape(tensor?.tensorShape ?? {});
  if (!tensor || !mapping || !shape) {
    throw new ModelLoadError(
      `constant '${node.name}' has ${mapping ? 'no fully known shape' : `unsupported dtype ${dtypeName}`}`,
    );
  }
  const type = mapping.graphName;
  const json = {
    name: node.name,
    op: 'Const',
    input: [],
    attr: {
      dtype: { type },
      value: {
        tensor: {
          dtype: type,
          tensorShape: { dim: shape.map((size) => ({ size: String(size) })) },
        },
      },
    },
  };
  return {
    spec: { name: node.name, shape, dtype: mapping.tfjs },
    source: { kind: 'tensor', node: node.name, tensor },
    json,
  };
}

/**
 * Turns the pruned graph into TensorFlow.js's graph-model form: nodes in protobuf-JSON with
 * dtypes tfjs knows, every `Const` as a weight (values read later, one at a time), and the
 * library functions control-flow ops name. The initializer, if any, becomes tfjs's
 * `modelInitializer`: its constants join the model's weights (one weight per name), and its
 * table nodes keep their names, which is how tfjs shares the tables with the model.
 */
export function toTfjsGraph(
  nodes: NodeMap,
  library: ReadonlyMap<string, FunctionDefMsg>,
  versions: { producer?: number; minConsumer?: number },
  entries: (key: string) => CheckpointEntry | undefined,
  initializer?: TableInitializer,
): TfjsGraph {
  const json: object[] = [];
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const weights: WeightSource[] = [];
  const weightNames = new Set<string>();
  const addWeight = (node: GraphNode): object => {
    const weight = constWeight(node);
    if (weightNames.has(node.name)) return weight.json;
    weightNames.add(node.name);
    weightSpecs.push(weight.spec);
    if (node.checkpointKey !== undefined) {
      const entry = entries(node.checkpointKey);
      if (!entry) throw new ModelLoadError(`checkpoint entry '${node.checkpointKey}' is missing`);
      weights.push({ kind: 'checkpoint', node: node.name, entry });
    } else {
      weights.push(weight.source);
    }
    return weight.json;
  };
  for (const node of nodes.values())
    json.push(node.op === 'Const' ? addWeight(node) : nodeJson(node));
  const functions = referencedFunctions(nodes, library).map((fn) => functionJson(fn, addWeight));
  const init = initializer && {
    modelInitializer: {
      node: [...initializer.nodes.values()].map((n) =>
        n.op === 'Const' ? addWeight(n) : nodeJson(n),
      ),
      versions,
    },
    initializerSignature: {
      outputs: Object.fromEntries(initializer.outputs.map((name) => [name, { name }])),
    },
  };
  return {
    modelTopology: { node: json, library: { function: functions }, versions },
    weightSpecs,
    weights,
    ...init,
  };
}

/** Functions named by `func` attributes (control flow), and the ones those name in turn. */
export function referencedFunctions(
  nodes: NodeMap,
  library: ReadonlyMap<string, FunctionDefMsg>,
): FunctionDefMsg[] {
  const found = new Map<string, FunctionDefMsg>();
  const visit = (attrs: Record<string, AttrValueMsg> | undefined) => {
    for (const value of Object.values(attrs ?? {})) {
      for (const func of [value.func, ...(value.list?.func ?? [])]) {
        const fn = func?.name ? library.get(func.name) : undefined;
        if (!fn || found.has(func!.name!)) continue;
        found.set(func!.name!, fn);
        for (const inner of fn.nodeDef ?? []) {
          visit(inner.attr);
          const direct = inner.op ? library.get(inner.op) : undefined;
          if (direct && !found.has(inner.op!)) visit({ f: { func: { name: inner.op } } });
        }
      }
    }
  };
  for (const node of nodes.values()) visit(node.attr);
  return [...found.values()];
}
