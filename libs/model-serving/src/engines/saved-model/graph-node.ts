import { type AttrValueMsg, type NodeDefMsg } from './tf-messages.js';

/** A node of the graph being rewritten; inputs use TensorFlow's `node:index` / `^node` form. */
export interface GraphNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValueMsg>;
  /** For a frozen variable: the checkpoint key its value is read from. */
  checkpointKey?: string;
}

/** The graph being rewritten, by node name. */
export type NodeMap = Map<string, GraphNode>;

/** A parsed input reference. */
export interface TensorRef {
  readonly node: string;
  readonly index: number;
  readonly control: boolean;
}

/** Parses `node`, `node:3` or `^node` (graph form; function bodies are normalised first). */
export function parseRef(ref: string): TensorRef {
  if (ref.startsWith('^')) return { node: ref.slice(1), index: 0, control: true };
  const colon = ref.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(ref.slice(colon + 1))) {
    return { node: ref.slice(0, colon), index: Number(ref.slice(colon + 1)), control: false };
  }
  return { node: ref, index: 0, control: false };
}

/** `node` for output 0, `node:i` otherwise (the form tfjs and TensorFlow both accept). */
export function formatRef(node: string, index: number): string {
  return index === 0 ? node : `${node}:${index}`;
}

/** A graph node from its decoded NodeDef. */
export function fromNodeDef(def: NodeDefMsg): GraphNode {
  return {
    name: def.name ?? '',
    op: def.op ?? '',
    input: [...(def.input ?? [])],
    attr: { ...def.attr },
  };
}

/** The data (non-control) inputs of a node. */
export function dataInputs(node: GraphNode): string[] {
  return node.input.filter((ref) => !ref.startsWith('^'));
}

/** The `DT_*` of a `type` attribute, if set. */
export function typeAttr(node: GraphNode, name: string): string | undefined {
  return node.attr[name]?.type;
}

/** Follows `Identity`-like nodes back from `ref` to the node that produces the value. */
export function traceIdentity(
  nodes: NodeMap,
  ref: string,
): { node: GraphNode; index: number } | undefined {
  let current = parseRef(ref);
  for (let hops = 0; hops < 1000; hops++) {
    const node = nodes.get(current.node);
    if (!node) return undefined;
    const passThrough = node.op === 'Identity' || node.op === 'Snapshot' || node.op === 'IdentityN';
    if (!passThrough) return { node, index: current.index };
    const next = dataInputs(node)[node.op === 'IdentityN' ? current.index : 0];
    if (next === undefined) return undefined;
    current = parseRef(next);
  }
  return undefined;
}
