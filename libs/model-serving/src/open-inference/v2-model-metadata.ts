import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type InferenceService } from '../models/inference.service.js';
import { type ModelRegistry } from '../models/model.registry.js';
import { DEFAULT_SIGNATURE, type TensorSpec } from '../models/signature.js';
import { v2DatatypeOf, type V2Datatype } from './v2-datatype.js';
import { resolveV2Version } from './v2-model-version.js';

/** A tensor of a model's metadata; -1 marks a dimension of any size. */
export interface V2TensorMetadata {
  readonly name: string;
  readonly datatype: V2Datatype;
  readonly shape: number[];
}

/** The Open Inference Protocol's model metadata, for REST and gRPC alike. */
export interface V2ModelMetadata {
  readonly name: string;
  /** The versions that can be requested now (AVAILABLE), oldest first. */
  readonly versions: string[];
  readonly platform: string;
  readonly inputs: V2TensorMetadata[];
  readonly outputs: V2TensorMetadata[];
}

/**
 * The `platform` of a version, by the engine that runs it: Triton's name for ONNX Runtime
 * (`onnxruntime_onnx`, a SavedModel translated for it included), `tensorflowjs` for TensorFlow.js
 * (Triton has no name for it). Informational only in the protocol.
 */
export function v2Platform(backend: string): string {
  return backend === 'onnxruntime' ? 'onnxruntime_onnx' : 'tensorflowjs';
}

function tensorMetadata(tensors: Readonly<Record<string, TensorSpec>>): V2TensorMetadata[] {
  return Object.entries(tensors).map(([name, spec]) => ({
    name,
    datatype: v2DatatypeOf(spec),
    // A tensor of unknown rank has no v2 shape; one dimension of any size is the nearest.
    shape: spec.shape ? [...spec.shape] : [-1],
  }));
}

/** Names the versions of `model` that serve now, oldest first. */
export function availableV2Versions(registry: ModelRegistry, model: string): string[] {
  return registry
    .status(model)
    .filter((s) => s.state === 'AVAILABLE')
    .map((s) => s.version)
    .sort((a, b) => a - b)
    .map(String);
}

/**
 * A model's metadata: its `serving_default` signature's inputs and outputs (of `version`, or
 * of the newest available version).
 * @throws ModelNotFoundError, VersionNotFoundError, InvalidInputError (no `serving_default`).
 */
export function v2ModelMetadata(
  inference: InferenceService,
  registry: ModelRegistry,
  model: string,
  version?: string,
): V2ModelMetadata {
  const metadata = inference.metadata(model, {
    version: resolveV2Version(registry, model, version),
  });
  const signature = metadata.signatures[DEFAULT_SIGNATURE];
  if (!signature) {
    throw new InvalidInputError(
      `model '${model}' version ${metadata.version} has no '${DEFAULT_SIGNATURE}' signature, the only one the Open Inference Protocol serves`,
    );
  }
  return {
    name: model,
    versions: availableV2Versions(registry, model),
    platform: v2Platform(metadata.backend),
    inputs: tensorMetadata(signature.inputs),
    outputs: tensorMetadata(signature.outputs),
  };
}

/** Whether every configured model has an AVAILABLE version and no shutdown has begun. */
export function isV2ServerReady(registry: ModelRegistry): boolean {
  return registry.ready && !registry.closing;
}

/**
 * Whether `model` (at `version`, or any version) can serve now.
 * @throws ModelNotFoundError for a model not served or a version never seen; VersionNotFoundError for an unknown label.
 */
export function isV2ModelReady(registry: ModelRegistry, model: string, version?: string): boolean {
  // Shutdown unloads every model: from its start on, nothing is ready (rather than unknown).
  if (registry.closing) return false;
  const number = resolveV2Version(registry, model, version);
  if (number === undefined) return registry.get(model).ready;
  return registry.status(model, number).some((s) => s.state === 'AVAILABLE');
}
