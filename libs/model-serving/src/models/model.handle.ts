import {
  type InferenceService,
  type ModelMetadata,
  type ResolvedModelSpec,
} from './inference.service.js';
import { type ModelRegistry } from './model.registry.js';
import { isTensorData, nestedToTensor } from '../tensor/nested-values.js';
import { type VersionStatus } from './served-model.js';
import { type NestedValues, type TensorData } from '../tensor/tensor-data.js';

/** Options of `ModelHandle.predict`. @publicApi */
export interface ModelPredictOptions {
  /** A version number; the newest AVAILABLE version when neither this nor `label` is given. */
  readonly version?: number;
  /** A version label from the model's `versionLabels`. */
  readonly label?: string;
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  /** Output aliases to compute; all when absent. */
  readonly outputs?: readonly string[];
}

/** Inputs by alias, as tensors or nested arrays (converted with the signature's dtypes). @publicApi */
export type ModelInputs = Readonly<Record<string, TensorData | NestedValues>>;

/**
 * A model by name, resolved in the registry on every call, so it works for models that appear
 * later (async options, `@Servable`, config reloads). Injected with `@InjectModel(name)`.
 * @publicApi
 */
export class ModelHandle {
  constructor(
    readonly name: string,
    private readonly registry: ModelRegistry,
    private readonly inference: InferenceService,
  ) {}

  /** Runs a signature and returns its outputs by alias. */
  async predict(
    inputs: ModelInputs,
    options: ModelPredictOptions = {},
  ): Promise<Record<string, TensorData>> {
    return (await this.predictWithSpec(inputs, options)).outputs;
  }

  /** Like `predict`, also telling which version and signature answered. */
  predictWithSpec(
    inputs: ModelInputs,
    options: ModelPredictOptions = {},
  ): Promise<{ modelSpec: ResolvedModelSpec; outputs: Record<string, TensorData> }> {
    return this.inference.predict({
      model: this.name,
      version: options.version,
      label: options.label,
      signature: options.signature,
      outputs: options.outputs,
      inputs: (signature) =>
        Object.fromEntries(
          Object.entries(inputs).map(([alias, value]) => {
            const spec = signature.inputs[alias];
            if (isTensorData(value) || !spec) return [alias, value as TensorData];
            return [
              alias,
              nestedToTensor(value, spec.dtype, `model '${this.name}' input '${alias}'`),
            ];
          }),
        ),
    });
  }

  /** The signatures of the selected version. */
  metadata(options: Pick<ModelPredictOptions, 'version' | 'label'> = {}): ModelMetadata {
    return this.inference.metadata(this.name, options);
  }

  /** Version states, newest first. */
  status(version?: number): VersionStatus[] {
    return this.registry.status(this.name, version);
  }

  /**
   * What runs the AVAILABLE version (the newest without `version`), e.g. `onnxruntime` for a
   * SavedModel translated to ONNX, or `wasm (not translated to ONNX: …)` when it fell back.
   */
  engine(version?: number): string | undefined {
    return this.registry.engine(this.name, version);
  }
}
