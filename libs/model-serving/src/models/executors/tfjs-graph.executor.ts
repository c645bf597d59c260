import type * as tf from '@tensorflow/tfjs-core';
import { type GraphModel } from '@tensorflow/tfjs-converter';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type SignatureMap } from '../signature.js';
import { type TensorData } from '../tensor-data.js';
import { ModelExecutor } from './model.executor.js';
import { collectOutputs, toTfTensor } from './tfjs-tensors.js';

/** Runs a TensorFlow.js graph model; feeds and fetches by graph tensor name. */
export class TfjsGraphExecutor extends ModelExecutor {
  private useAsync = false;

  constructor(
    private readonly model: GraphModel,
    readonly signatures: SignatureMap,
    readonly backend: string,
  ) {
    super();
  }

  async run(
    signatureKey: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    const signature = this.signatures[signatureKey];
    if (!signature) throw new UnimplementedError(`signature '${signatureKey}' is not served`);
    const aliases = outputs ?? Object.keys(signature.outputs);
    const fetches = aliases.map((alias) => signature.outputs[alias]?.name ?? alias);
    const feeds: tf.NamedTensorMap = {};
    try {
      for (const [alias, data] of Object.entries(inputs)) {
        feeds[signature.inputs[alias]?.name ?? alias] = toTfTensor(data);
      }
      const result = await this.execute(feeds, fetches);
      return await collectOutputs(aliases, result);
    } finally {
      for (const tensor of Object.values(feeds)) tensor.dispose();
    }
  }

  private async execute(feeds: tf.NamedTensorMap, fetches: string[]): Promise<tf.Tensor[]> {
    if (!this.useAsync) {
      try {
        return asList(this.model.execute(feeds, fetches));
      } catch (error) {
        // Graphs with control flow or dynamic shapes (While, NonMaxSuppression…) refuse the
        // synchronous path and say so; remember it and take the async one from now on.
        if (!(error instanceof Error) || !error.message.includes('executeAsync')) throw error;
        this.useAsync = true;
      }
    }
    return asList(await this.model.executeAsync(feeds, fetches));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** tfjs answers one tensor, not a list, when one output is fetched. */
function asList(result: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(result) ? result : [result];
}
