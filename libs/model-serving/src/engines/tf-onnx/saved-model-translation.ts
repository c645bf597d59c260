import { type SignatureDef, type SignatureMap } from '../../models/signature.js';
import { encodeOnnxModel } from '../onnx/onnx-model-writer.js';
import { type CheckpointReader } from '../saved-model/checkpoint-reader.js';
import { type ExampleParsingSpec } from '../saved-model/example-parsing.js';
import { type ServingGraph } from '../saved-model/saved-model-graph.js';
import { fromOwnBytes, type HostTensor } from './host-tensor.js';
import { lookupTables } from './lookup-tables.js';
import {
  type FrozenGraph,
  missingTranslators,
  translateSignature,
  type TranslatedSignature,
} from './signature-translator.js';
import { Untranslatable } from './untranslatable.js';

/** One signature's ONNX model as bytes, and the names its aliases map to. */
export interface OnnxSignatureModel {
  readonly model: Uint8Array;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * A SavedModel version translated to ONNX, as plain data (it is sent to worker threads as is):
 * one model per servable signature (a signature that parses tf.Examples is translated from its
 * parse op on, fed the dense features parsed in TypeScript), or why it could not be.
 */
export interface SavedModelOnnx {
  /** Signature key → its ONNX model. */
  readonly models: Readonly<Record<string, OnnxSignatureModel>>;
  /** The SavedModel's signatures, exactly as the TensorFlow.js path serves them. */
  readonly signatures: SignatureMap;
  readonly unavailable: readonly (readonly [string, string])[];
  readonly parsing: readonly (readonly [string, ExampleParsingSpec])[];
}

/** What stops a version from running on ONNX: op (or op and reason) → signatures. */
export type Untranslated = ReadonlyMap<string, readonly string[]>;

/** The signature run after TypeScript has parsed a signature's tf.Examples. */
export function parsedHalf(signature: SignatureDef, spec: ExampleParsingSpec): SignatureDef {
  return {
    methodName: signature.methodName,
    inputs: Object.fromEntries(
      spec.dense.map((d, k) => [`dense_${k}`, { name: d.tensor, dtype: 'float32' as const }]),
    ),
    outputs: signature.outputs,
  };
}

/**
 * Frozen variables' values in their own dtype, read from the checkpoint as they are stored
 * (int64 beyond 2^31 and doubles exact; half-floats become float, as constants do).
 */
async function readVariables(
  serving: ServingGraph,
  reader: CheckpointReader | undefined,
): Promise<Map<string, HostTensor>> {
  const values = new Map<string, HostTensor>();
  for (const source of serving.graph.weights) {
    const used = serving.nodes.has(source.node) || serving.tables?.nodes.has(source.node);
    if (source.kind !== 'checkpoint' || !used) continue;
    if (!reader) throw new Error(`variable '${source.node}' needs a checkpoint, and there is none`);
    const { entry } = source;
    if (entry.dtype === 'DT_STRING') {
      values.set(source.node, {
        dtype: 'DT_STRING',
        shape: entry.shape,
        data: await reader.readStrings(entry),
      });
      continue;
    }
    const bytes = await reader.readRaw(entry);
    values.set(source.node, fromOwnBytes(source.node, entry.dtype, entry.shape, bytes));
  }
  return values;
}

/**
 * Translates every servable signature of a version to ONNX. Answers the translation, or the
 * ops that did not translate (then the version stays on TensorFlow.js): first every op no
 * translator knows, else the first node a translator refused, with its reason.
 */
export async function translateSavedModel(
  serving: ServingGraph,
  reader: CheckpointReader | undefined,
): Promise<SavedModelOnnx | Untranslated> {
  const targets = new Map<string, SignatureDef>();
  for (const [key, signature] of Object.entries(serving.signatures)) {
    const parsing = serving.parsing.get(key);
    if (parsing) targets.set(key, parsedHalf(signature, parsing));
    else if (!serving.unavailable.has(key)) targets.set(key, signature);
  }
  const graph: FrozenGraph = {
    nodes: serving.nodes,
    library: serving.library,
    variables: new Map(),
  };
  const missing = new Map<string, string[]>();
  for (const [key, signature] of targets) {
    for (const op of missingTranslators(graph, signature).keys()) {
      missing.set(op, [...(missing.get(op) ?? []), key]);
    }
  }
  if (missing.size > 0) return missing;
  const variables = await readVariables(serving, reader);
  const frozen: FrozenGraph = {
    ...graph,
    variables,
    tables: lookupTables(serving.tables, variables),
  };
  const models: Record<string, OnnxSignatureModel> = {};
  for (const [key, signature] of targets) {
    let translated: TranslatedSignature;
    try {
      translated = translateSignature(frozen, signature);
    } catch (error) {
      const what =
        error instanceof Untranslatable
          ? `${error.op} (${error.reason})`
          : `? (${error instanceof Error ? error.message : String(error)})`;
      return new Map([[what, [key]]]);
    }
    models[key] = {
      model: encodeOnnxModel(translated.model),
      inputs: translated.inputs,
      outputs: translated.outputs,
    };
  }
  return {
    models,
    signatures: serving.signatures,
    unavailable: [...serving.unavailable],
    parsing: [...serving.parsing],
  };
}

/** Whether a translation succeeded. */
export function isTranslated(result: SavedModelOnnx | Untranslated): result is SavedModelOnnx {
  return !(result instanceof Map);
}
