import { type OpFamily, type OpTranslator } from './op-translator.js';
import { ARRAY_OPS } from './ops/array.ops.js';
import { CONTROL_FLOW_OPS } from './ops/control-flow.ops.js';
import { ELEMENTWISE_OPS } from './ops/elementwise.ops.js';
import { LOOKUP_TABLE_OPS } from './ops/lookup-table.ops.js';
import { NN_OPS } from './ops/nn.ops.js';
import { REDUCTION_OPS } from './ops/reduction.ops.js';
import { SHAPE_OPS } from './ops/shape.ops.js';
import { TENSOR_LIST_OPS } from './ops/tensor-list.ops.js';

/**
 * Every TensorFlow op the ONNX translation knows, by name: one family per file under `ops/`.
 * A family joins by being listed here (control flow and lookup tables slot in the same way:
 * their translators emit `Loop`/`If` subgraphs through `TranslationContext.subgraph`).
 */
const FAMILIES: readonly OpFamily[] = [
  ELEMENTWISE_OPS,
  NN_OPS,
  SHAPE_OPS,
  ARRAY_OPS,
  REDUCTION_OPS,
  CONTROL_FLOW_OPS,
  TENSOR_LIST_OPS,
  LOOKUP_TABLE_OPS,
];

export const TF_ONNX_OPS: ReadonlyMap<string, OpTranslator> = new Map(
  FAMILIES.flatMap((family) => Object.entries(family)),
);

/** Ops the signature translator handles itself (graph sources). */
export const SOURCE_OPS: ReadonlySet<string> = new Set([
  'Const',
  'Placeholder',
  'PlaceholderWithDefault',
]);
