import * as tf from '@tensorflow/tfjs-core';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { ModelExecutor } from '../../models/model.executor.js';
import { collectOutputs, toTfTensor } from '../tfjs/tfjs-tensors.js';
import { type SignatureMap } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';

/**
 * One signature of a SavedModel loaded by a native engine. tfjs-node's `TFSavedModel` has this
 * shape: given a map keyed by input alias, `predict` answers a map keyed by output alias.
 */
export interface NativeSignatureModel {
  predict(inputs: tf.NamedTensorMap): tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
  dispose(): void;
}

/** A native answer keyed by output alias (a bare tensor or list follows the signature's order). */
function byAlias(
  result: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap,
  aliases: readonly string[],
): tf.NamedTensorMap {
  if (result instanceof tf.Tensor) return aliases[0] === undefined ? {} : { [aliases[0]]: result };
  if (Array.isArray(result)) {
    return Object.fromEntries(result.map((tensor, i) => [aliases[i] ?? `#${i}`, tensor]));
  }
  return result;
}

/**
 * A SavedModel run by a native engine (tfjs-node's `loadSavedModel`), one loaded signature per
 * key: plain tensors in, plain tensors out, every tensor it or the engine makes disposed.
 * Unverified against the real tfjs-node here (see `native-saved-model.ts`).
 */
export class NativeSavedModelExecutor extends ModelExecutor {
  readonly backend = 'tensorflow';

  constructor(
    readonly signatures: SignatureMap,
    private readonly models: ReadonlyMap<string, NativeSignatureModel>,
    private readonly unavailable: ReadonlyMap<string, string> = new Map(),
  ) {
    super();
  }

  async run(
    key: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    const signature = Object.hasOwn(this.signatures, key) ? this.signatures[key] : undefined;
    const model = this.models.get(key);
    if (!signature || !model) {
      throw new UnimplementedError(this.unavailable.get(key) ?? `signature '${key}' is not served`);
    }
    const aliases = outputs ?? Object.keys(signature.outputs);
    const feeds: tf.NamedTensorMap = {};
    let produced: tf.Tensor[] = [];
    try {
      for (const [alias, data] of Object.entries(inputs)) {
        feeds[alias] = toTfTensor(data, `input '${alias}'`);
      }
      const answer = byAlias(model.predict(feeds), Object.keys(signature.outputs));
      produced = Object.values(answer);
      const missing = aliases.filter((alias) => !answer[alias]);
      if (missing.length) {
        throw new UnimplementedError(
          `the native engine answered signature '${key}' without ${missing.join(', ')}`,
        );
      }
      return await collectOutputs(
        aliases,
        aliases.map((alias) => answer[alias]!),
      );
    } finally {
      // Inputs, and outputs not asked for (collectOutputs disposes the ones it converts).
      tf.dispose([feeds, produced]);
    }
  }

  dispose(): void {
    for (const model of this.models.values()) model.dispose();
  }
}
