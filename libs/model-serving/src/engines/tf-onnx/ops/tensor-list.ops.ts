import { type GraphNode } from '../../saved-model/graph-node.js';
import { type OpFamily, type OpTranslator } from '../op-translator.js';
import { type TfValue } from '../tf-value.js';
import { Untranslatable } from '../untranslatable.js';
import { input, typeAttr } from './attrs.js';

/**
 * A `Loop` body's slot for one TensorList it fills: written once per iteration at the
 * iteration's index, so the `Loop`'s scan output, stacked by ONNX Runtime without copying the
 * list on every step, is the list.
 */
export interface ScanSlot {
  readonly dtype: string;
  /** The body's values of the loop variables that count iterations from 0. */
  readonly counters: readonly TfValue[];
  /** The element written in this iteration, once `TensorListSetItem` ran. */
  item?: TfValue;
}

/**
 * What a TensorList (a `DT_VARIANT` handle) is in the translation: elements stacked along a
 * new axis 0 of one tensor, a reserved list nothing has written yet, or inside a `Loop` body a
 * list filled through a scan output (before and after the iteration's write).
 */
export type ListState =
  | { readonly kind: 'stacked'; readonly tensor: TfValue }
  | { readonly kind: 'reserved'; readonly dtype: string }
  | { readonly kind: 'scan'; readonly slot: ScanSlot }
  | { readonly kind: 'written'; readonly slot: ScanSlot };

const LISTS = new WeakMap<TfValue, ListState>();

/** A TensorList value; it has no ONNX value of its own (its ops read its state). */
export function listValue(state: ListState): TfValue {
  const value: TfValue = {
    dtype: 'DT_VARIANT',
    name: () => {
      throw new Untranslatable('TensorList', `a ${state.kind} TensorList used as a tensor`);
    },
  };
  LISTS.set(value, state);
  return value;
}

/** The state of a TensorList value, if it is one. */
export function listStateOf(value: TfValue): ListState | undefined {
  return LISTS.get(value);
}

function listOf(node: GraphNode, value: TfValue): ListState {
  const state = LISTS.get(value);
  if (!state) throw new Untranslatable(node.op, 'its list does not come from a translated op');
  return state;
}

/** `TensorListFromTensor(tensor, element_shape)`: the tensor is the stacked list. */
const fromTensor: OpTranslator = (node, inputs) => [
  listValue({ kind: 'stacked', tensor: input(node, inputs, 0) }),
];

/** `TensorListReserve(element_shape, n)`: nothing to allocate until something is written. */
const reserve: OpTranslator = (node) => [
  listValue({ kind: 'reserved', dtype: typeAttr(node, 'element_dtype') }),
];

/** `TensorListGetItem(list, index, element_shape)` of a stacked list: `Gather` on axis 0. */
const getItem: OpTranslator = (node, inputs, { ctx }) => {
  const list = listOf(node, input(node, inputs, 0));
  if (list.kind !== 'stacked') {
    throw new Untranslatable(node.op, `reading a ${list.kind} list is not translated`);
  }
  const index = input(node, inputs, 1);
  const out = ctx.emit1(
    { op: 'Gather', inputs: [list.tensor.name(), index.name()], attributes: { axis: 0 } },
    node.name,
  );
  return [ctx.value(out, list.tensor.dtype, list.tensor.shape?.slice(1))];
};

/**
 * `TensorListSetItem(list, index, item)`, translated where a `Loop` body writes each
 * iteration's element at the iteration's index (what Keras's RNN loops do).
 */
const setItem: OpTranslator = (node, inputs) => {
  const list = listOf(node, input(node, inputs, 0));
  if (list.kind !== 'scan') {
    throw new Untranslatable(
      node.op,
      list.kind === 'written'
        ? 'a loop body writes one list twice'
        : 'only writes of a loop body at its iteration index are translated',
    );
  }
  if (!list.slot.counters.includes(input(node, inputs, 1))) {
    throw new Untranslatable(node.op, 'the index written is not the loop iteration');
  }
  list.slot.item = input(node, inputs, 2);
  return [listValue({ kind: 'written', slot: list.slot })];
};

/** `TensorListStack(list, element_shape)`: the stacked tensor. */
const stack: OpTranslator = (node, inputs) => {
  const list = listOf(node, input(node, inputs, 0));
  if (list.kind !== 'stacked') {
    throw new Untranslatable(node.op, `stacking a ${list.kind} list is not translated`);
  }
  return [list.tensor];
};

export const TENSOR_LIST_OPS: OpFamily = {
  TensorListFromTensor: fromTensor,
  TensorListReserve: reserve,
  TensorListGetItem: getItem,
  TensorListSetItem: setItem,
  TensorListStack: stack,
};
