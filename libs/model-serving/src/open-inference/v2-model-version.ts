import { VersionNotFoundError } from '../errors/version-not-found.error.js';
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
