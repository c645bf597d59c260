import { type GraphNode } from '../saved-model/graph-node.js';
import { type FunctionDefMsg } from '../saved-model/tf-messages.js';
import { type LookupTableContents } from './lookup-tables.js';
import { type TranslationContext } from './translation-context.js';
import { type TfValue } from './tf-value.js';

/** What an op translator is given besides the node and its inputs. */
export interface OpScope {
  readonly ctx: TranslationContext;
  /** The graph's library, for ops whose attributes name functions (`While`, `If`). */
  readonly library: ReadonlyMap<string, FunctionDefMsg>;
  /** What the init op fills each lookup table with, by table node name. */
  readonly tables?: ReadonlyMap<string, LookupTableContents>;
}

/**
 * Translates one TensorFlow op: emits ONNX nodes into `scope.ctx` and answers the node's
 * outputs in TensorFlow's order. An input that is a constant carries its value, so a
 * translator folds when all its inputs are constants. Throws `Untranslatable` for what it
 * cannot express; then the whole version stays on TensorFlow.js.
 */
export type OpTranslator = (
  node: GraphNode,
  inputs: readonly TfValue[],
  scope: OpScope,
) => readonly TfValue[];

/** A family of translators, by TensorFlow op name (one file per family under `ops/`). */
export type OpFamily = Readonly<Record<string, OpTranslator>>;
