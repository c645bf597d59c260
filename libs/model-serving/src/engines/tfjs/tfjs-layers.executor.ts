import type * as tf from '@tensorflow/tfjs-core';
import { type LayersModel } from '@tensorflow/tfjs-layers';
import { type SignatureDef, type SignatureMap } from '../../models/signature.js';
import { TfjsExecutor } from './tfjs.executor.js';

/** Runs a TensorFlow.js layers model; its one signature maps input and output layer names. */
export class TfjsLayersExecutor extends TfjsExecutor {
  constructor(
    private readonly model: LayersModel,
    signatures: SignatureMap,
  ) {
    super(signatures);
  }

  protected compute(
    signature: SignatureDef,
    inputs: Readonly<Record<string, tf.Tensor>>,
    aliases: readonly string[],
  ): tf.Tensor[] {
    const feeds = Object.keys(signature.inputs).map((alias) => inputs[alias]!);
    const result = this.model.predict(feeds.length === 1 ? feeds[0]! : feeds);
    const all = Array.isArray(result) ? result : [result];
    const outputNames = Object.keys(signature.outputs);
    const wanted = aliases.map((alias) => all[outputNames.indexOf(alias)]!);
    for (const tensor of all) if (!wanted.includes(tensor)) tensor.dispose();
    return wanted;
  }

  dispose(): void {
    this.model.dispose();
  }
}
