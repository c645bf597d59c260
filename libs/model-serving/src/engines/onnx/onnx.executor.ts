import type * as ort from 'onnxruntime-node';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { ModelExecutor } from '../../models/model.executor.js';
import { servedSignature, type SignatureMap } from '../../models/signature.js';
import { isStringData, type TensorData, type TensorDType } from '../../tensor/tensor-data.js';
import { fromOrtValues } from './onnx-dtypes.js';
import { type OnnxRuntime } from './onnx-runtime.js';

/** The graph's element type of each input and output, by name. */
export type OnnxTypes = ReadonlyMap<string, string>;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

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
      feeds[name] = this.toOrt(name, data);
    }
    const aliases = outputs ?? Object.keys(signature.outputs);
    const fetches = aliases.map((alias) => signature.outputs[alias]!.name);
    const results = await this.session.run(feeds, fetches);
    try {
      return Object.fromEntries(
        aliases.map((alias, i) => {
          const tensor = results[fetches[i]!]!;
          return [alias, this.fromOrt(signature.outputs[alias]!.dtype, tensor)];
        }),
      );
    } finally {
      for (const tensor of Object.values(results)) tensor.dispose();
    }
  }

  private toOrt(name: string, data: TensorData): ort.Tensor {
    const dims = [...data.shape];
    if (isStringData(data.data)) {
      return new this.runtime.Tensor(
        'string',
        data.data.map((bytes) => utf8.decode(bytes)),
        dims,
      );
    }
    // The signature's dtype is the graph's type, and the request was checked against it, so
    // the typed array is the one onnxruntime takes for that type (float16: Uint16Array bits).
    const type = this.types.get(name)! as 'float32';
    return new this.runtime.Tensor(type, data.data as Float32Array, dims);
  }

  private fromOrt(dtype: TensorDType, tensor: ort.Tensor): TensorData {
    const shape = [...tensor.dims];
    if (dtype === 'string') {
      return { dtype, shape, data: (tensor.data as string[]).map((s) => encoder.encode(s)) };
    }
    return { dtype, shape, data: fromOrtValues(dtype, tensor.data as ArrayBufferView) };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
