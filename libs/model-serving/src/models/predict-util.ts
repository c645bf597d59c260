import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { validateInputs } from '../validation/signature.validator.js';
import { type RunOptions } from './model.executor.js';
import { type HeldServable, type RunNote } from './servable.js';
import { DEFAULT_SIGNATURE, servedSignature, type SignatureDef } from './signature.js';

/** The resolved model spec of an answer. @publicApi */
export interface ResolvedModelSpec {
  readonly name: string;
  readonly version: number;
  readonly signature: string;
}

/** What a predict answers: the spec that ran, its signature, and the outputs by alias. */
export interface PredictResult {
  readonly modelSpec: ResolvedModelSpec;
  /** The signature that ran (its output specs carry the declared dtypes). */
  readonly signature: SignatureDef;
  readonly outputs: Record<string, TensorData>;
}

/** The part of a predict call the servable-level function reads. */
export interface PredictRequest {
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  /** The inputs, or a decoder that builds them once the signature is known (REST decodes by dtype). */
  readonly inputs:
    | Readonly<Record<string, TensorData>>
    | ((signature: SignatureDef, key: string) => Readonly<Record<string, TensorData>>);
  /** Output aliases to return; all when absent. */
  readonly outputs?: readonly string[];
}

/**
 * TF Serving's predict on one held version: find the signature, decode and check the inputs
 * against it, check the output filter, run.
 * @throws InvalidInputError with TF Serving's messages for an unknown signature, inputs that do
 *   not fit it, or an output filter naming unknown or repeated aliases.
 */
export async function runPredict(
  servable: HeldServable,
  request: PredictRequest,
  options: RunOptions = {},
  note: RunNote = {},
): Promise<PredictResult> {
  const key = request.signature || DEFAULT_SIGNATURE;
  const signature = servedSignature(servable.executor.signatures, key);
  if (!signature) {
    throw new InvalidInputError(`Serving signature name: "${key}" not found in signature def`);
  }
  note.signature = key;
  const inputs =
    typeof request.inputs === 'function' ? request.inputs(signature, key) : request.inputs;
  validateInputs(
    { model: servable.model, version: servable.version, signature: key },
    signature,
    inputs,
  );
  note.inputs = inputs;
  const outputs = request.outputs ? checkOutputFilter(request.outputs, signature) : undefined;
  const result = await servable.executor.run(key, inputs, outputs, options);
  return {
    modelSpec: { name: servable.model, version: servable.version, signature: key },
    signature,
    outputs: result,
  };
}

function checkOutputFilter(outputs: readonly string[], signature: SignatureDef): string[] {
  const seen = new Set<string>();
  for (const alias of outputs) {
    if (!(alias in signature.outputs)) {
      throw new InvalidInputError(
        `output tensor alias not found in signature: ${alias} Outputs expected to be in the set {${Object.keys(signature.outputs).sort().join(',')}}.`,
      );
    }
    if (seen.has(alias)) throw new InvalidInputError(`duplicate output tensor alias: ${alias}`);
    seen.add(alias);
  }
  return [...outputs];
}
