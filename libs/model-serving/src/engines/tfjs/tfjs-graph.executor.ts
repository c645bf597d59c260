import type * as tf from '@tensorflow/tfjs-core';
import { type GraphModel } from '@tensorflow/tfjs-converter';
import { type SignatureDef, type SignatureMap } from '../../models/signature.js';
import { NeedsAsyncRun, TfjsExecutor } from './tfjs.executor.js';

/** tfjs answers one tensor, not a list, when one output is fetched. */
function asList(result: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(result) ? result : [result];
}

/** Runs a TensorFlow.js graph model; feeds and fetches by graph tensor name. */
export class TfjsGraphExecutor extends TfjsExecutor {
  private useAsync = false;

  constructor(
    private readonly model: GraphModel,
    signatures: SignatureMap,
  ) {
    super(signatures);
  }

  protected compute(
    signature: SignatureDef,
    inputs: Readonly<Record<string, tf.Tensor>>,
    aliases: readonly string[],
  ): tf.Tensor[] | Promise<tf.Tensor[]> {
    const feeds: tf.NamedTensorMap = {};
    for (const [alias, tensor] of Object.entries(inputs)) {
      feeds[signature.inputs[alias]?.name ?? alias] = tensor;
    }
    const fetches = aliases.map((alias) => signature.outputs[alias]?.name ?? alias);
    if (!this.useAsync) {
      try {
        return asList(this.model.execute(feeds, fetches));
      } catch (error) {
        // Graphs with control flow or dynamic shapes (While, NonMaxSuppression…) refuse the
        // synchronous path and say so; remember it and take the async one from now on.
        if (!(error instanceof Error) || !error.message.includes('executeAsync')) throw error;
        this.useAsync = true;
        throw new NeedsAsyncRun(error.message);
      }
    }
    return this.model.executeAsync(feeds, fetches).then(asList);
  }

  protected override get runsAsync(): boolean {
    return this.useAsync;
  }

  dispose(): void {
    this.model.dispose();
  }
}
