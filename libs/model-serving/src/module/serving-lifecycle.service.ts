import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type Server } from 'node:http';
import { readModelConfigFile } from '../config/model-config-file.js';
import {
  resolveModelList,
  type ResolvedModelConfig,
  type ResolvedModelServingOptions,
} from '../config/resolve-options.js';
import { selectBackend } from '../engines/tfjs/select-backend.js';
import { InferenceService } from '../models/inference.service.js';
import { ModelRegistry } from '../models/model.registry.js';
import { HttpDrain } from './http-drain.js';
import { ServableExplorer } from './servable.explorer.js';
import { VersionWatcher } from '../models/version.watcher.js';
import { MODEL_SERVING_RESOLVED_OPTIONS } from './model-serving.constants.js';

/** How long the abandoned calls' answers get to be written before connections are cut. */
const ANSWER_GRACE_MS = 100;

/**
 * Owns the serving timeline: at bootstrap, pick the engine and load the initial versions; then
 * watch version directories and the config file; at destroy, stop watching; at shutdown,
 * unload every model.
 */
@Injectable()
export class ServingLifecycleService
  implements
    OnApplicationBootstrap,
    OnModuleDestroy,
    BeforeApplicationShutdown,
    OnApplicationShutdown
{
  private readonly logger = new Logger('ModelServing');
  private readonly watchers: VersionWatcher[] = [];
  /** Set when shutdownTimeoutMs expired with requests still running. */
  private abandoned = false;
  /** Drains the HTTP server at shutdown; absent without one (a gRPC-only microservice). */
  private httpDrain?: HttpDrain;
  /** The last config file error logged: a broken file is reported once, not at every poll. */
  private configFileError?: string;

  constructor(
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS) private readonly options: ResolvedModelServingOptions,
    private readonly registry: ModelRegistry,
    private readonly inference: InferenceService,
    private readonly explorer: ServableExplorer,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // An http or https server (both have closeIdleConnections); none in a microservice.
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Partial<Server> | undefined;
    if (typeof server?.closeIdleConnections === 'function') {
      this.httpDrain = new HttpDrain(server as Server);
    }
    await selectBackend(this.options.backend);
    const initial = await this.desiredModels();
    await this.withTimeout(this.registry.reloadConfig(initial), this.options.loadTimeoutMs);
    this.watchers.push(
      new VersionWatcher('Version poll', this.options.pollIntervalMs, () => this.registry.poll()),
    );
    if (this.options.modelConfigFile) {
      this.watchers.push(
        new VersionWatcher(
          'Model config file reload',
          this.options.modelConfigFilePollIntervalMs,
          () => this.reloadFromFile(),
        ),
      );
    }
    for (const watcher of this.watchers) watcher.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
  }

  /**
   * Drains before the servers close, dropping nothing: readiness turns 503 for `drainDelayMs`
   * while requests are still served; then the HTTP listener closes, idle keep-alive connections
   * are closed and every request already received on an open connection is answered (with
   * `Connection: close`); then new gRPC calls are refused with UNAVAILABLE and the calls in
   * flight finish. All of it within `shutdownTimeoutMs`: past it, every call still waiting
   * answers UNAVAILABLE, the HTTP connections still open are cut and the close goes on without
   * them. (Queued batches run on their own timers meanwhile; unloading flushes the rest.)
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.registry.beginDrain();
    await this.sleep(this.options.drainDelayMs);
    const deadline = Date.now() + this.options.shutdownTimeoutMs;
    const httpDrained = await this.before(this.httpDrain?.close(), deadline);
    this.registry.refuseNewWork();
    while (this.registry.inFlight > 0 && Date.now() < deadline) await this.sleep(10);
    if (this.registry.inFlight > 0 || !httpDrained) {
      this.logger.warn(
        `${this.registry.inFlight} requests still running after shutdownTimeoutMs; closing anyway`,
      );
      this.abandoned = true;
      // Every protocol's pending call answers UNAVAILABLE now, so gRPC's graceful close ends.
      this.inference.abandonInFlight();
      await this.sleep(ANSWER_GRACE_MS);
      // Past the deadline the connections still open are cut, so a request that never ends
      // cannot hold the shutdown.
      this.httpDrain?.cutAll();
    }
    this.httpDrain?.detach();
  }

  /** Whether `work` ended before `deadline` (true when there is no work). */
  private async before(work: Promise<void> | undefined, deadline: number): Promise<boolean> {
    if (!work) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    try {
      return await Promise.race([work.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private sleep(ms: number): Promise<void> {
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    const closed = this.registry.close();
    if (!this.abandoned) return closed;
    // A version still held by an abandoned request is disposed when that request ends.
    closed.catch((error: unknown) =>
      this.logger.error(`Unloading after shutdown failed: ${String(error)}`),
    );
  }

  /** Models from the options, the config file and `@Servable` classes, in that order. */
  private async desiredModels(): Promise<ResolvedModelConfig[]> {
    const fromFile = this.options.modelConfigFile
      ? resolveModelList(await readModelConfigFile(this.options.modelConfigFile), 'modelConfigFile')
      : [];
    return [...this.options.models, ...fromFile, ...this.explorer.servables];
  }

  private async reloadFromFile(): Promise<void> {
    let models: ResolvedModelConfig[];
    try {
      models = await this.desiredModels();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.configFileError) {
        this.logger.error(
          `Model config file not reloaded, the served models stay as they are: ${message}`,
        );
      }
      this.configFileError = message;
      return;
    }
    if (this.configFileError !== undefined) {
      this.logger.log('Model config file reads again');
      this.configFileError = undefined;
    }
    const current = JSON.stringify(this.registry.configs());
    const next = JSON.stringify(
      [...models].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
    if (current !== next) await this.registry.reloadConfig(models);
  }

  private async withTimeout(work: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(`Initial model loads still running after ${ms} ms; serving what is ready`);
        resolve();
      }, ms);
      timer.unref();
    });
    try {
      await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
