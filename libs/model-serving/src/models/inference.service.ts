import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { validateInputs } from '../validation/signature.validator.js';
import { ModelRegistry } from './model.registry.js';
import { type VersionSelector } from './served-model.js';
import {
  DEFAULT_SIGNATURE,
  servedSignature,
  type SignatureDef,
  type SignatureMap,
} from './signature.js';
import { type TensorData } from '../tensor/tensor-data.js';

/** One inference, in protocol-neutral terms. */
export interface PredictCall extends VersionSelector {
  readonly model: string;
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  /** The inputs, or a decoder that builds them once the signature is known (REST decodes by dtype). */
  readonly inputs:
    | Readonly<Record<string, TensorData>>
    | ((signature: SignatureDef, key: string) => Readonly<Record<string, TensorData>>);
  /** Output aliases to return; all when absent. */
  readonly outputs?: readonly string[];
}

/** The resolved model spec of an answer. @publicApi */
export interface ResolvedModelSpec {
  readonly name: string;
  readonly version: number;
  readonly signature: string;
}

export interface PredictResult {
  readonly modelSpec: ResolvedModelSpec;
  /** The signature that ran (its output specs carry the declared dtypes). */
  readonly signature: SignatureDef;
  readonly outputs: Record<string, TensorData>;
}

export interface ModelMetadata {
  readonly name: string;
  readonly version: number;
  readonly signatures: SignatureMap;
}

/**
 * The one path every protocol takes to run a model: resolve the version and hold it, find the
 * signature, check the inputs, run, release.
 */
@Injectable()
export class InferenceService {
  constructor(private readonly registry: ModelRegistry) {}

  async predict(call: PredictCall): Promise<PredictResult> {
    const lease = this.registry.acquire(call.model, call);
    try {
      const key = call.signature || DEFAULT_SIGNATURE;
      const signature = servedSignature(lease.executor.signatures, key);
      if (!signature) {
        throw new InvalidInputError(`Serving signature name: "${key}" not found in signature def`);
      }
      const inputs = typeof call.inputs === 'function' ? call.inputs(signature, key) : call.inputs;
      const where = { model: call.model, version: lease.version, signature: key };
      validateInputs(where, signature, inputs);
      const outputs = call.outputs ? this.checkOutputFilter(call.outputs, signature) : undefined;
      const result = await lease.executor.run(key, inputs, outputs);
      return {
        modelSpec: { name: call.model, version: lease.version, signature: key },
        signature,
        outputs: result,
      };
    } finally {
      lease.release();
    }
  }

  metadata(model: string, selector: VersionSelector = {}): ModelMetadata {
    const lease = this.registry.acquire(model, selector);
    try {
      return { name: model, version: lease.version, signatures: lease.executor.signatures };
    } finally {
      lease.release();
    }
  }

  private checkOutputFilter(outputs: readonly string[], signature: SignatureDef): string[] {
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
}
