import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ResolvedModelConfig,
  type ResolvedModelServingOptions,
} from '../config/resolve-options.js';
import { ModelNotFoundError } from '../errors/model-not-found.error.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { ShuttingDownError } from '../errors/shutting-down.error.js';
import {
  MODEL_SERVING_PIPELINE,
  MODEL_SERVING_RESOLVED_OPTIONS,
} from '../module/model-serving.constants.js';
import { type ServingPipeline } from './executor-plugin.js';
import { type VersionRecord } from './inference-observer.js';
import { VersionLoader } from './version-loader.js';
import {
  ServedModel,
  type VersionLease,
  type VersionSelector,
  type VersionStatus,
} from './served-model.js';

/**
 * Every served model by name. The list can be replaced at run time (`reloadConfig`): new models
 * load, removed ones unload, unchanged ones keep serving untouched.
 * @publicApi
 */
@Injectable()
export class ModelRegistry {
  private readonly logger = new Logger('ModelServing');
  private readonly models = new Map<string, ServedModel>();
  /** Set once a config was applied: until then the models to serve are not known. */
  private applied = false;
  private readonly versionLoader: VersionLoader;
  private closed = false;
  private draining = false;
  private refusing = false;
  private readonly versionListeners = new Set<(record: VersionRecord) => void>();
  private readonly configListeners = new Set<() => void>();

  constructor(
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS) private readonly options: ResolvedModelServingOptions,
    @Inject(MODEL_SERVING_PIPELINE) private readonly pipeline: ServingPipeline,
  ) {
    this.versionLoader = new VersionLoader({
      loaders: pipeline.loaders,
      plugins: pipeline.plugins,
      checkedOnZeros: pipeline.checkedOnZeros,
      backend: options.backend,
      savedModelEngine: options.savedModelEngine,
      enableModelWarmup: options.enableModelWarmup,
      logger: this.logger,
    });
  }

  /** Tells `listener` about every version load attempt and unload; returns its remover. */
  onVersion(listener: (record: VersionRecord) => void): () => void {
    this.versionListeners.add(listener);
    return () => this.versionListeners.delete(listener);
  }

  /** Tells `listener` each time a config is applied (the served list may have changed). */
  onConfig(listener: () => void): () => void {
    this.configListeners.add(listener);
    return () => this.configListeners.delete(listener);
  }

  /** Names of the configured models. */
  names(): string[] {
    return [...this.models.keys()].sort();
  }

  /** The config of a served model, if it is one. */
  config(name: string): ResolvedModelConfig | undefined {
    return this.models.get(name)?.modelConfig;
  }

  /** Configs of the served models, in name order. */
  configs(): ResolvedModelConfig[] {
    return this.names().map((name) => this.models.get(name)!.modelConfig);
  }

  /** Whether shutdown has begun (no new work is taken). */
  get closing(): boolean {
    return this.draining || this.closed;
  }

  /** Shutdown, first step: readiness turns false; requests are still served. */
  beginDrain(): void {
    this.draining = true;
  }

  /** Shutdown, second step: new requests are refused with UNAVAILABLE. */
  refuseNewWork(): void {
    this.refusing = true;
  }

  /** Requests holding a version right now, over every model. */
  get inFlight(): number {
    let total = 0;
    for (const model of this.models.values()) total += model.inFlight;
    return total;
  }

  /**
   * Whether the models to serve are known (the first config applied) and every one has an
   * AVAILABLE version. Before the first config, while the engine starts, nothing is ready.
   */
  get ready(): boolean {
    return this.applied && [...this.models.values()].every((m) => m.ready);
  }

  /** Whether the first config was applied (the models to serve are known). */
  get configured(): boolean {
    return this.applied;
  }

  /**
   * Makes `configs` the served list and waits until each new model's first load attempt ended.
   * Names must be unique; the caller validated the entries.
   */
  async reloadConfig(configs: readonly ResolvedModelConfig[]): Promise<void> {
    if (this.closed)
      throw new ShuttingDownError('The server is shutting down; the config was not reloaded');
    const names = new Set<string>();
    for (const config of configs) {
      if (names.has(config.name))
        throw new InvalidInputError(`model name ${config.name} appears twice`);
      names.add(config.name);
    }
    this.applied = true;
    const removed = [...this.models.values()].filter((m) => !names.has(m.name));
    for (const model of removed) this.models.delete(model.name);
    const syncs: Promise<void>[] = [];
    for (const config of configs) {
      let model = this.models.get(config.name);
      if (!model) {
        model = new ServedModel(config, {
          versionLoader: this.versionLoader,
          maxLoadRetries: this.options.maxLoadRetries,
          loadRetryIntervalMs: this.options.loadRetryIntervalMs,
          pollIntervalMs: this.options.pollIntervalMs,
          allowVersionLabelsForUnavailableModels:
            this.options.allowVersionLabelsForUnavailableModels,
          logger: this.logger,
          onVersion: (record) => {
            for (const observer of this.options.observers) observer.observeVersion?.(record);
            for (const listener of this.versionListeners) listener(record);
          },
        });
        this.models.set(config.name, model);
        this.logger.log(
          `Serving model ${config.name} from its base path (policy ${JSON.stringify(config.versionPolicy)})`,
        );
        syncs.push(model.sync());
      } else if (JSON.stringify(model.modelConfig) !== JSON.stringify(config)) {
        model.updateConfig(config);
        syncs.push(model.sync());
      }
    }
    for (const model of removed)
      this.logger.log(`Model ${model.name} was removed from the config; unloading it`);
    for (const listener of this.configListeners) listener();
    await Promise.all([...syncs, ...removed.map((m) => m.stop())]);
  }

  /** Adds models without touching the others (used by `@Servable` discovery). */
  async add(configs: readonly ResolvedModelConfig[]): Promise<void> {
    await this.reloadConfig([...this.configs(), ...configs]);
  }

  /** Rescans every model's base path once. */
  async poll(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.sync()));
  }

  /** The served model, or TF Serving's not-found error. */
  get(name: string, selector: VersionSelector = {}): ServedModel {
    const model = this.models.get(name);
    if (model) return model;
    if (selector.label !== undefined) {
      throw new InvalidInputError(`Unrecognized servable version label: ${selector.label}`);
    }
    throw new ModelNotFoundError(
      selector.version === undefined
        ? `Servable not found for request: Latest(${name})`
        : `Servable not found for request: Specific(${name}, ${selector.version})`,
    );
  }

  /** Holds a version of a model for one request; release the lease when done. */
  acquire(name: string, selector: VersionSelector = {}): VersionLease {
    if (this.refusing || this.closed) throw new ShuttingDownError('The server is shutting down');
    return this.get(name, selector).acquire(selector);
  }

  /** Version statuses (newest first), with the status endpoint's own not-found messages. */
  status(name: string, version?: number): VersionStatus[] {
    const model = this.models.get(name);
    if (!model) throw new ModelNotFoundError(`Could not find any versions of model ${name}`);
    return model.status(version);
  }

  /**
   * What runs a model's AVAILABLE version (the newest without `version`): `onnxruntime`, `wasm`,
   * `cpu`…, and why when there was a choice, e.g. a SavedModel's ops that did not translate to
   * ONNX. Undefined when no such version is AVAILABLE.
   * @throws ModelNotFoundError for an unknown model
   */
  engine(name: string, version?: number): string | undefined {
    const model = this.models.get(name);
    if (!model) throw new ModelNotFoundError(`Could not find any versions of model ${name}`);
    return model.engine(version);
  }

  /** Unloads everything after in-flight requests finish; no work is taken afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const models = [...this.models.values()];
    this.models.clear();
    await Promise.all(models.map((m) => m.stop()));
    for (const plugin of this.pipeline.plugins) {
      await plugin
        .close?.()
        .catch((error: unknown) =>
          this.logger.error(`Closing ${plugin.name} failed: ${String(error)}`),
        );
    }
  }
}
