import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { type ResolvedModelSpec } from '../../models/inference.service.js';
import { type VersionSelector } from '../../models/served-model.js';

/** `tensorflow.serving.ModelSpec` as @grpc/proto-loader hands it over (longs as strings). */
export interface ModelSpecMessage {
  name?: string;
  version?: { value?: string | number } | null;
  version_label?: string;
  signature_name?: string;
  version_choice?: string;
}

/** The model, version selector and signature a request's `model_spec` names. */
export function readModelSpec(
  spec: ModelSpecMessage | null | undefined,
): VersionSelector & { name: string; signature: string } {
  if (!spec?.name) throw new InvalidInputError('Missing ModelSpec');
  const version =
    spec.version_choice === 'version' || spec.version ? spec.version?.value : undefined;
  const label =
    spec.version_choice === 'version_label' || spec.version_label ? spec.version_label : undefined;
  if (version !== undefined && label) {
    throw new InvalidInputError(
      `Both model version (${String(version)}) and model version label (${label}) cannot be supplied.`,
    );
  }
  const selector: { name: string; signature: string; version?: number; label?: string } = {
    name: spec.name,
    signature: spec.signature_name ?? '',
  };
  if (version !== undefined) {
    const parsed = Number(version);
    if (!Number.isSafeInteger(parsed))
      throw new InvalidInputError(`Invalid model version ${String(version)}`);
    selector.version = parsed;
  }
  if (label) selector.label = label;
  return selector;
}

/** The resolved spec every answer echoes: name, version, signature. */
export function writeModelSpec(spec: ResolvedModelSpec, withSignature = true): ModelSpecMessage {
  return {
    name: spec.name,
    version: { value: String(spec.version) },
    signature_name: withSignature ? spec.signature : '',
  };
}
