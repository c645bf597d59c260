import type * as ort from 'onnxruntime-node';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { ModelExecutor } from '../../models/model.executor.js';
import { servedSignature, type SignatureMap } from '../../models/signature.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { fromOrtTensor, toOrtTensor } from '../onnx/onnx-dtypes.js';
import { type OnnxRuntime } from '../onnx/onnx-runtime.js';
import { type ExampleParsingSpec } from '../saved-model/example-parsing.js';
import {
  type ExampleParser,
  parsedInputs,
  routeSavedModelRun,
  type SavedModelSignatureRoutes,
} from '../saved-model/saved-model.executor.js';
import { type OnnxSignatureModel } from './saved-model-translation.js';

/** One signature's session, its ONNX names and its inputs' element types. */
export interface SignatureSession {
  readonly session: ort.InferenceSession;
  readonly model: OnnxSignatureModel;
  /** ONNX input name → element type, as the session declares it. */
  readonly types: ReadonlyMap<string, string>;
}

/**
 * A SavedModel served from its ONNX translation on ONNX Runtime: one session per signature,
 * fed and fetched by alias. It serves the SavedModel's own signatures (metadata is TF
 * Serving's, as on TensorFlow.js); signatures that parse tf.Examples in the graph parse them in
 * TypeScript and feed the dense features to their translated post-parse half.
 */
export class SavedModelOnnxExecutor extends ModelExecutor implements SavedModelSignatureRoutes {
  readonly backend = 'onnxruntime';

  constructor(
    private readonly runtime: OnnxRuntime,
    private readonly sessions: ReadonlyMap<string, SignatureSession>,
    readonly signatures: SignatureMap,
    readonly unavailable: ReadonlyMap<string, string>,
    readonly parsing: ReadonlyMap<string, ExampleParsingSpec>,
    readonly parser: ExampleParser | undefined,
    override readonly engineNote?: string,
  ) {
    super();
  }

  /** How `signature` parses tf.Examples, when its graph does. */
  exampleParsing(signature: string): ExampleParsingSpec | undefined {
    return this.parsing.get(signature);
  }

  /**
   * Runs a signature that parses tf.Examples from already parsed dense features, one tensor
   * per entry of `exampleParsing(signature).dense`, in that order.
   */
  runParsed(
    signature: string,
    dense: readonly TensorData[],
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    return this.runSession(signature, parsedInputs(this, signature, dense), outputs);
  }

  async run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    if (!servedSignature(this.signatures, signature)) {
      throw new UnimplementedError(`signature '${signature}' is not served`);
    }
    return routeSavedModelRun(
      this,
      signature,
      inputs,
      (dense) => this.runParsed(signature, dense, outputs),
      () => this.runSession(signature, inputs, outputs),
    );
  }

  private async runSession(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    const entry = this.sessions.get(signature);
    const def = this.signatures[signature]!;
    if (!entry) throw new UnimplementedError(`signature '${signature}' is not served`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [alias, data] of Object.entries(inputs)) {
      const name = entry.model.inputs[alias];
      if (name === undefined) continue;
      feeds[name] = toOrtTensor(this.runtime, entry.types.get(name)!, data, `input '${alias}'`);
    }
    const aliases = outputs ?? Object.keys(def.outputs);
    const fetches = aliases.map((alias) => entry.model.outputs[alias]!);
    const results = await entry.session.run(feeds, fetches);
    try {
      return Object.fromEntries(
        aliases.map((alias, i) => [
          alias,
          fromOrtTensor(def.outputs[alias]!.dtype, results[fetches[i]!]!, `output '${alias}'`),
        ]),
      );
    } finally {
      for (const tensor of Object.values(results)) tensor.dispose();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.sessions.values()].map(({ session }) => session.release()));
  }
}
