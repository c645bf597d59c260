import type * as ort from 'onnxruntime-node';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { ModelExecutor } from '../../models/model.executor.js';
import { servedSignature, type SignatureMap } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { fromOrtTensor, toOrtTensor } from './onnx-dtypes.js';
import { type OnnxRuntime } from './onnx-runtime.js';

/** The graph's element type of each input and output, by name. */
export type OnnxTypes = ReadonlyMap<string, string>;

/**
 * One ONNX Runtime session behind the executor interface. Its one signature maps the graph's
 * input and output names; values are converted to and from the element types the graph
 * declares, and every session resource is released in `dispose()`.
 */
export class OnnxExecutor extends ModelExecutor {
  readonly backend = 'onnxruntime';

  constructor(
    private readonly runtime: OnnxRuntime,
    private readonly session: ort.InferenceSession,
    readonly signatures: SignatureMap,
    private readonly types: OnnxTypes,
  ) {
    super();
  }

  async run(
    signatureKey: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    const signature = servedSignature(this.signatures, signatureKey);
    if (!signature) throw new UnimplementedError(`signature '${signatureKey}' is not served`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [alias, data] of Object.entries(inputs)) {
      const name = signature.inputs[alias]!.name;
      feeds[name] = toOrtTensor(this.runtime, this.types.get(name)!, data, `input '${alias}'`);
    }
    const aliases = outputs ?? Object.keys(signature.outputs);
    const fetches = aliases.map((alias) => signature.outputs[alias]!.name);
    const results = await this.session.run(feeds, fetches);
    try {
      return Object.fromEntries(
        aliases.map((alias, i) => {
          const tensor = results[fetches[i]!]!;
          return [
            alias,
            fromOrtTensor(signature.outputs[alias]!.dtype, tensor, `output '${alias}'`),
          ];
        }),
      );
    } finally {
      for (const tensor of Object.values(results)) tensor.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
