import { type LayersModel } from '@tensorflow/tfjs-layers';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type SignatureMap } from '../signature.js';
import { type TensorData } from '../tensor-data.js';
import { ModelExecutor } from './model.executor.js';
import { collectOutputs, toTfTensor } from './tfjs-tensors.js';

/** Runs a TensorFlow.js layers model; its one signature maps input and output layer names. */
export class TfjsLayersExecutor extends ModelExecutor {
  constructor(
    private readonly model: LayersModel,
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
    const inputAliases = Object.keys(signature.inputs);
    const outputAliases = Object.keys(signature.outputs);
    const feeds = inputAliases.map((alias) => {
      const data = inputs[alias];
      if (!data) throw new UnimplementedError(`input '${alias}' is missing`);
      return toTfTensor(data);
    });
    try {
      const result = this.model.predict(feeds.length === 1 ? feeds[0]! : feeds);
      const tensors = Array.isArray(result) ? result : [result];
      const wanted = outputs ?? outputAliases;
      const keep = wanted.map((alias) => tensors[outputAliases.indexOf(alias)]!);
      const drop = tensors.filter((t) => !keep.includes(t));
      for (const t of drop) t.dispose();
      return await collectOutputs(wanted, keep);
    } finally {
      for (const tensor of feeds) tensor.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
