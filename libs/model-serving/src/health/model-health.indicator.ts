import { Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ModelNotFoundError } from '../errors/model-not-found.error.js';
import { ModelRegistry } from '../models/model.registry.js';
import { type VersionStatus } from '../models/version-status.js';

/** Key of the entry that turns down once shutdown began. */
export const SERVING_HEALTH_KEY = 'serving';

/** Prefix of the per-model entries: model names are free text and must not clash with `serving`. */
export const MODEL_HEALTH_KEY_PREFIX = 'model:';

/** Why a model without an AVAILABLE version is not ready, from its versions (newest first). */
function notReadyMessage(versions: readonly VersionStatus[]): string {
  if (versions.length === 0) return 'no version found under its base path';
  const loading = versions.find((v) => v.state === 'START' || v.state === 'LOADING');
  if (loading) return `version ${loading.version} is ${loading.state}`;
  const failed = versions.find((v) => v.error);
  if (failed?.error) return `version ${failed.version} failed to load: ${failed.error.message}`;
  return `no AVAILABLE version (newest ${versions[0]!.version} is ${versions[0]!.state})`;
}

/**
 * Readiness of the served models as terminus entries: `model:<name>` per configured model, up
 * when it has an AVAILABLE version, down while its versions load or after they failed, each
 * with its versions' states (TF Serving's status, newest first); and `serving`, down until the
 * first model config is applied (while the engine starts) and from the start of shutdown (the
 * drain) on, while the models still answer.
 * @publicApi
 */
@Injectable()
export class ModelHealthIndicator {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Every entry; synchronous, no inference: it reads the registry's version states only. */
  check(): HealthIndicatorResult {
    const serving = this.indicators.check(SERVING_HEALTH_KEY);
    const result: HealthIndicatorResult = this.registry.closing
      ? serving.down({ message: 'shutting down: draining, no new work should be sent' })
      : this.registry.configured
        ? serving.up()
        : serving.down({ message: 'starting: the engine starts and the models are not known yet' });
    for (const name of this.registry.names()) {
      const versions = this.versions(name);
      if (versions === undefined) continue; // removed by a config reload since names()
      const entry = this.indicators.check(`${MODEL_HEALTH_KEY_PREFIX}${name}`);
      Object.assign(
        result,
        versions.some((v) => v.state === 'AVAILABLE')
          ? entry.up({ versions })
          : entry.down({ message: notReadyMessage(versions), versions }),
      );
    }
    return result;
  }

  private versions(name: string): VersionStatus[] | undefined {
    try {
      return this.registry.status(name);
    } catch (error) {
      if (!(error instanceof ModelNotFoundError)) throw error;
      // A model with no version directory yet is configured but has nothing to serve.
      return this.registry.names().includes(name) ? [] : undefined;
    }
  }
}
