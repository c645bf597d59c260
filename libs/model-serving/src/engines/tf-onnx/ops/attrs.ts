import { type GraphNode } from '../../saved-model/graph-node.js';
import { type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';

/** An int attribute (TensorFlow writes int64s as decimal strings). */
export function intAttr(node: GraphNode, name: string, fallback?: number): number {
  const value = node.attr[name]?.i;
  if (value !== undefined) return Number(value);
  if (fallback !== undefined) return fallback;
  throw new Untranslatable(node.op, `attribute '${name}' is missing`);
}

export function intsAttr(node: GraphNode, name: string): number[] {
  return (node.attr[name]?.list?.i ?? []).map(Number);
}

export function floatAttr(node: GraphNode, name: string, fallback: number): number {
  return node.attr[name]?.f ?? fallback;
}

export function boolAttr(node: GraphNode, name: string, fallback = false): boolean {
  return node.attr[name]?.b ?? fallback;
}

export function stringAttr(node: GraphNode, name: string, fallback: string): string {
  const bytes = node.attr[name]?.s;
  return bytes ? new TextDecoder().decode(bytes) : fallback;
}

export function typeAttr(node: GraphNode, name: string, fallback?: string): string {
  const type = node.attr[name]?.type ?? fallback;
  if (type === undefined) throw new Untranslatable(node.op, `attribute '${name}' is missing`);
  return type;
}

/** The input at `index`, which the op needs. */
export function input(node: GraphNode, inputs: readonly TfValue[], index: number): TfValue {
  const value = inputs[index];
  if (!value) throw new Untranslatable(node.op, `input ${index} is missing`);
  return value;
}

/** The input's constant value as numbers, which the translation needs at translation time. */
export function constantInts(node: GraphNode, value: TfValue, what: string): number[] {
  if (!value.constant || Array.isArray(value.constant.data)) {
    throw new Untranslatable(node.op, `its ${what} is computed at run time`);
  }
  return Array.from(value.constant.data as ArrayLike<number | bigint>, (v) => Number(v));
}
