import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type CallOptions, type InferenceService } from '../models/inference.service.js';
import { type ModelRegistry } from '../models/model.registry.js';
import { DEFAULT_SIGNATURE, type SignatureDef } from '../models/signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { parseV2Datatype, v2DatatypeOf, type V2Datatype } from './v2-datatype.js';
import { v2VersionError, v2VersionSelector } from './v2-model-version.js';
import { tensorFromV2Values, type V2Value } from './v2-tensor-values.js';

/** A request input as either protocol carries it, its values flat and row-major. */
export interface V2InferInput {
  readonly name: string;
  readonly datatype: unknown;
  readonly shape: readonly number[];
  readonly values: ArrayLike<V2Value>;
}

/** One inference in the Open Inference Protocol's terms, decoded from REST or gRPC. */
export interface V2InferCall {
  readonly model: string;
  /** Empty or absent: the newest available version. */
  readonly version?: string;
  readonly id?: string;
  readonly inputs: readonly V2InferInput[];
  /** Output names to answer; all of the signature's when absent or empty. */
  readonly outputs?: readonly string[];
}

/** An answered output: the engine tensor and the datatype the signature declares. */
export interface V2InferOutput {
  readonly name: string;
  readonly datatype: V2Datatype;
  readonly tensor: TensorData;
}

/** The answer to a `V2InferCall`: the version that ran and the outputs in answer order. */
export interface V2InferResult {
  readonly model: string;
  readonly version: string;
  readonly id?: string;
  readonly outputs: V2InferOutput[];
}

function decodeInputs(
  call: V2InferCall,
  signature: SignatureDef,
): Readonly<Record<string, TensorData>> {
  const inputs: Record<string, TensorData> = {};
  for (const input of call.inputs) {
    const where = `input '${input.name}'`;
    if (Object.hasOwn(inputs, input.name)) {
      throw new InvalidInputError(`${where} appears more than once in the request`);
    }
    const datatype = parseV2Datatype(input.datatype, where);
    const spec = Object.hasOwn(signature.inputs, input.name)
      ? signature.inputs[input.name]
      : undefined;
    // Unknown names are left to the signature check, which lists what is expected.
    if (spec && v2DatatypeOf(spec) !== datatype) {
      throw new InvalidInputError(
        `${where} of model '${call.model}' expects datatype ${v2DatatypeOf(spec)}, got ${datatype}`,
      );
    }
    inputs[input.name] = tensorFromV2Values(datatype, input.shape, input.values, where);
  }
  return inputs;
}

/**
 * Runs a v2 inference through the shared inference path (same versions, batching and
 * checks as TF Serving's API) on the model's `serving_default` signature.
 * @throws ModelServingError subclasses: NOT_FOUND for an unknown model or version,
 * INVALID_ARGUMENT for inputs that do not fit the signature.
 */
export async function runV2Infer(
  inference: InferenceService,
  registry: ModelRegistry,
  call: V2InferCall,
  options: CallOptions = {},
): Promise<V2InferResult> {
  // The model must exist (NOT_FOUND otherwise); the version or label is then resolved once,
  // by the lease the call holds, against the labels in force.
  registry.get(call.model);
  const result = await inference
    .predict({
      ...options,
      model: call.model,
      ...v2VersionSelector(call.version),
      signature: DEFAULT_SIGNATURE,
      outputs: call.outputs?.length ? call.outputs : undefined,
      inputs: (signature) => decodeInputs(call, signature),
    })
    .catch((error: unknown) => {
      throw v2VersionError(error, call.model, call.version);
    });
  const names = call.outputs?.length
    ? call.outputs
    : Object.keys(result.signature.outputs).filter((name) => Object.hasOwn(result.outputs, name));
  const outputs = names.map((name): V2InferOutput => {
    const tensor = result.outputs[name]!;
    const spec = result.signature.outputs[name];
    return { name, datatype: v2DatatypeOf(spec ?? tensor), tensor };
  });
  return {
    model: call.model,
    version: String(result.modelSpec.version),
    ...(call.id ? { id: call.id } : {}),
    outputs,
  };
}
