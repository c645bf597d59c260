import { InvalidInputError } from '../errors/invalid-input.error.js';
import { VersionNotFoundError } from '../errors/version-not-found.error.js';
import { type VersionSelector } from '../models/served-model.js';
import { type ModelRegistry } from '../models/model.registry.js';

/**
 * The version a v2 request names: none (empty) for the newest available, a number, or one of
 * the model's version labels (the Open Inference Protocol's versions are strings).
 * @throws ModelNotFoundError when the model is not served.
 * @throws VersionNotFoundError when the version is neither a number nor a label of the model.
 */
export function resolveV2Version(
  registry: ModelRegistry,
  model: string,
  version: string | undefined,
): number | undefined {
  const served = registry.get(model);
  if (version === undefined || version === '') return undefined;
  if (/^\d+$/.test(version) && Number.isSafeInteger(Number(version))) return Number(version);
  const labelled = Object.hasOwn(served.modelConfig.versionLabels, version)
    ? served.modelConfig.versionLabels[version]
    : undefined;
  if (labelled === undefined) {
    throw new VersionNotFoundError(
      `Version ${JSON.stringify(version)} of model ${model} is neither a version number nor one of its labels`,
    );
  }
  return labelled;
}

/** The selector of a v2 version string: none (empty), a number, or a label. */
export function v2VersionSelector(version: string | undefined): VersionSelector {
  if (version === undefined || version === '') return {};
  if (/^\d+$/.test(version) && Number.isSafeInteger(Number(version))) {
    return { version: Number(version) };
  }
  return { label: version };
}

/**
 * A label the model does not have (or not yet, for a version not AVAILABLE) is, for the Open
 * Inference Protocol, a version not found; other errors pass unchanged.
 */
export function v2VersionError(
  error: unknown,
  model: string,
  version: string | undefined,
): unknown {
  if (error instanceof InvalidInputError && error.message.startsWith(UNKNOWN_LABEL)) {
    return new VersionNotFoundError(
      `Version ${JSON.stringify(version)} of model ${model} is neither a version number nor one of its labels`,
    );
  }
  return error;
}

const UNKNOWN_LABEL = 'Unrecognized servable version label';
