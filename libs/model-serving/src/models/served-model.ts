import { join } from 'node:path';
import { type Logger } from '@nestjs/common';
import { IncompleteVersionError } from '../errors/incomplete-version.error.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { ModelLoadError } from '../errors/model-load.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { VersionNotFoundError } from '../errors/version-not-found.error.js';
import { ModelNotFoundError } from '../errors/model-not-found.error.js';
import { type ResolvedModelConfig } from '../config/resolve-options.js';
import { type VersionRecord } from './inference-observer.js';
import { type ModelExecutor } from './model.executor.js';
import { type VersionLoader } from './version-loader.js';
import { aspiredVersions } from './version-policy.js';
import { VersionLabels } from './version-labels.js';
import { type VersionState, type VersionStatus } from './version-status.js';

export type { VersionState, VersionStatus } from './version-status.js';
import { scanVersions } from './version-scan.js';

/** Which version a request wants: a number, a label, or (neither) the newest available. @publicApi */
export interface VersionSelector {
  readonly version?: number;
  readonly label?: string;
}

/** A version held by one request; unloading waits until every lease is released. */
export interface VersionLease {
  readonly version: number;
  readonly executor: ModelExecutor;
  release(): void;
}

export interface ServedModelSettings {
  /** The load pipeline every version goes through. */
  readonly versionLoader: VersionLoader;
  readonly maxLoadRetries: number;
  readonly loadRetryIntervalMs: number;
  readonly pollIntervalMs: number;
  /** Assign labels to versions that are not AVAILABLE (TF Serving refuses by default). */
  readonly allowVersionLabelsForUnavailableModels?: boolean;
  readonly logger: Logger;
  /** Told about every load attempt and unload. */
  readonly onVersion?: (record: VersionRecord) => void;
}

interface VersionEntry {
  readonly version: number;
  state: VersionState;
  error?: VersionStatus['error'];
  executor?: ModelExecutor;
  inFlight: number;
  attempts: number;
  retryTimer?: NodeJS.Timeout;
  ended?: Promise<void>;
  onDrained?: () => void;
}

/**
 * The versions of one model, managed as TF Serving manages them: the policy picks the aspired
 * versions on disk; a new version loads before an old one unloads; a failed load is retried,
 * then ends with its error without touching the versions that work.
 */
export class ServedModel {
  private readonly versions = new Map<number, VersionEntry>();
  private dirs = new Map<number, string>();
  private aspired: number[] = [];
  private syncing?: Promise<void>;
  private stopped = false;
  /** The last base-path problem logged, so a poll repeats it only when it changes. */
  private basePathProblem?: string;
  /** Labels in force: TF Serving assigns a label only once its version is AVAILABLE. */
  private readonly labels: VersionLabels;

  constructor(
    private config: ResolvedModelConfig,
    private readonly settings: ServedModelSettings,
  ) {
    this.labels = new VersionLabels(
      config.name,
      settings.logger,
      settings.allowVersionLabelsForUnavailableModels ?? false,
    );
  }

  get name(): string {
    return this.config.name;
  }

  get modelConfig(): ResolvedModelConfig {
    return this.config;
  }

  /** Takes a new config for the same name (policy, labels or base path changed). */
  updateConfig(config: ResolvedModelConfig): void {
    this.config = config;
  }

  /** Scans the base path and loads or unloads what the policy says; calls coalesce. */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Requests holding one of its versions right now. */
  get inFlight(): number {
    let total = 0;
    for (const entry of this.versions.values()) total += entry.inFlight;
    return total;
  }

  /** Whether some version can serve. */
  get ready(): boolean {
    return [...this.versions.values()].some((e) => e.state === 'AVAILABLE');
  }

  /** Holds the selected version for one request. Throws TF Serving's not-found errors. */
  acquire(selector: VersionSelector = {}): VersionLease {
    const entry = this.select(selector);
    entry.inFlight++;
    let released = false;
    return {
      version: entry.version,
      executor: entry.executor!,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
        if (entry.inFlight === 0) entry.onDrained?.();
      },
    };
  }

  /** Newest first; one version when asked, NOT_FOUND when it was never seen. */
  status(version?: number): VersionStatus[] {
    const entries = [...this.versions.values()].sort((a, b) => b.version - a.version);
    const pick = version === undefined ? entries : entries.filter((e) => e.version === version);
    if (pick.length === 0) {
      throw new ModelNotFoundError(
        version === undefined
          ? `Could not find any versions of model ${this.name}`
          : `Could not find version ${version} of model ${this.name}`,
      );
    }
    return pick.map(({ version: v, state, error }) =>
      error ? { version: v, state, error } : { version: v, state },
    );
  }

  /**
   * What runs an AVAILABLE version (`onnxruntime`, `wasm`, `cpu`…) and, when there was a choice,
   * why, e.g. `wasm (not translated to ONNX: LookupTableFindV2 ('serving_default'))`; the newest
   * AVAILABLE one when `version` is not given. Undefined when it is not AVAILABLE.
   */
  engine(version?: number): string | undefined {
    const available = [...this.versions.values()]
      .filter((e) => e.state === 'AVAILABLE' && e.executor && (version ?? e.version) === e.version)
      .sort((a, b) => b.version - a.version);
    const executor = available[0]?.executor;
    return executor && engineOf(executor);
  }

  /** Stops retries and unloads every version, waiting for in-flight requests to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    const ends: Promise<void>[] = [];
    for (const entry of this.versions.values()) {
      if (entry.retryTimer) clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      if (entry.state === 'AVAILABLE') this.unload(entry);
      else if (entry.state === 'START' || entry.state === 'LOADING') entry.state = 'END';
      if (entry.ended) ends.push(entry.ended);
    }
    await Promise.all(ends);
  }

  private select({ version, label }: VersionSelector): VersionEntry {
    if (label !== undefined) {
      const labelled = this.labels.get(label);
      if (labelled === undefined) {
        throw new InvalidInputError(`Unrecognized servable version label: ${label}`);
      }
      version = labelled;
    }
    if (version !== undefined) {
      const entry = this.versions.get(version);
      if (entry?.state !== 'AVAILABLE') {
        throw new VersionNotFoundError(
          `Servable not found for request: Specific(${this.name}, ${version})`,
        );
      }
      return entry;
    }
    let newest: VersionEntry | undefined;
    for (const entry of this.versions.values()) {
      if (entry.state === 'AVAILABLE' && (!newest || entry.version > newest.version))
        newest = entry;
    }
    if (!newest)
      throw new ModelNotFoundError(`Servable not found for request: Latest(${this.name})`);
    return newest;
  }

  private async doSync(): Promise<void> {
    if (this.stopped) return;
    this.dirs = await this.scan();
    this.aspired = aspiredVersions(this.config.versionPolicy, [...this.dirs.keys()]);
    const loads: Promise<void>[] = [];
    for (const version of this.aspired) {
      const entry = this.versions.get(version);
      if (!entry || (entry.state === 'END' && !entry.error)) loads.push(this.load(version));
    }
    for (const entry of this.versions.values()) {
      if (!this.aspired.includes(entry.version) && entry.retryTimer) {
        // Its directory left or the policy changed while a retry was pending.
        clearTimeout(entry.retryTimer);
        entry.retryTimer = undefined;
        entry.state = 'END';
      }
    }
    this.unloadSurplus();
    this.assignLabels();
    await Promise.all(loads);
    this.assignLabels();
  }

  private assignLabels(): void {
    this.labels.assign(this.config.versionLabels, (version) => this.versions.get(version)?.state);
  }

  private async scan(): Promise<Map<number, string>> {
    const { found, problem } = await scanVersions(this.config.basePath);
    if (problem === undefined) this.basePathProblem = undefined;
    else this.reportBasePath(problem);
    return found;
  }

  /** Warns about the base path once per change of what was found, not at every poll. */
  private reportBasePath(problem: string): void {
    if (problem === this.basePathProblem) return;
    this.basePathProblem = problem;
    this.settings.logger.warn(`No versions of model ${this.name} found: ${problem}`);
  }

  private load(version: number): Promise<void> {
    const entry: VersionEntry = { version, state: 'START', inFlight: 0, attempts: 0 };
    this.versions.set(version, entry);
    return this.attempt(entry);
  }

  private async attempt(entry: VersionEntry): Promise<void> {
    if (this.stopped) return;
    entry.state = 'LOADING';
    entry.attempts++;
    const started = performance.now();
    try {
      const executor = await this.loadExecutor(entry.version);
      if (this.stopped || entry.state !== 'LOADING') {
        await executor.dispose();
        return;
      }
      entry.executor = executor;
      entry.state = 'AVAILABLE';
      entry.error = undefined;
      this.settings.logger.log(
        `Model ${this.name} version ${entry.version} is AVAILABLE (${executor.backend})`,
      );
      this.report(entry.version, 'loaded', started);
      this.assignLabels();
      this.unloadSurplus();
    } catch (cause) {
      const error = asLoadError(cause);
      const incomplete = error instanceof IncompleteVersionError;
      const retry =
        !this.stopped &&
        entry.attempts <= this.settings.maxLoadRetries &&
        this.aspired.includes(entry.version);
      if (retry && entry.state === 'LOADING') {
        const { pollIntervalMs, loadRetryIntervalMs } = this.settings;
        const delay =
          incomplete && pollIntervalMs > 0
            ? Math.min(pollIntervalMs, loadRetryIntervalMs)
            : loadRetryIntervalMs;
        // TF Serving shows a retrying version as LOADING with status OK; the last error is kept
        // on the status so a version that keeps failing says why before its retries run out.
        entry.error = { code: error.code, message: error.message };
        this.report(entry.version, 'failed', started, { code: error.code, final: false });
        this.settings.logger.warn(
          `Model ${this.name} version ${entry.version} failed to load (try ${entry.attempts} of ${this.settings.maxLoadRetries + 1}), retrying in ${delay} ms: ${error.message}`,
        );
        entry.retryTimer = setTimeout(() => {
          entry.retryTimer = undefined;
          void this.attempt(entry);
        }, delay);
        entry.retryTimer.unref();
        return;
      }
      entry.state = 'END';
      entry.error = { code: error.code, message: error.message };
      this.report(entry.version, 'failed', started, { code: error.code, final: true });
      this.settings.logger.error(
        `Model ${this.name} version ${entry.version} failed to load: ${error.message}`,
      );
      this.unloadSurplus();
    }
  }

  private report(
    version: number,
    event: VersionRecord['event'],
    started: number,
    more: Pick<VersionRecord, 'code' | 'final'> = {},
  ): void {
    try {
      this.settings.onVersion?.({
        model: this.name,
        version,
        event,
        durationMs: performance.now() - started,
        ...more,
      });
    } catch (error) {
      this.settings.logger.error(`A version observer failed: ${String(error)}`);
    }
  }

  private loadExecutor(version: number): Promise<ModelExecutor> {
    const directory = join(this.config.basePath, this.dirs.get(version) ?? String(version));
    return this.settings.versionLoader.load(this.config, version, directory);
  }

  /** Unloads versions the policy no longer wants, once an aspired version can take over. */
  private unloadSurplus(): void {
    const takeover =
      this.aspired.length === 0 ||
      this.aspired.some((v) => this.versions.get(v)?.state === 'AVAILABLE');
    if (!takeover) return;
    for (const entry of this.versions.values()) {
      if (entry.state === 'AVAILABLE' && !this.aspired.includes(entry.version)) this.unload(entry);
    }
  }

  private unload(entry: VersionEntry): void {
    entry.state = 'UNLOADING';
    const started = performance.now();
    this.settings.logger.log(`Model ${this.name} version ${entry.version} is UNLOADING`);
    entry.ended = new Promise<void>((resolve) => {
      const finish = () => {
        entry.onDrained = undefined;
        const executor = entry.executor;
        entry.executor = undefined;
        Promise.resolve(executor?.dispose())
          .catch((error: unknown) =>
            this.settings.logger.error(
              `Disposing model ${this.name} version ${entry.version} failed: ${String(error)}`,
            ),
          )
          .finally(() => {
            entry.state = 'END';
            this.settings.logger.log(`Model ${this.name} version ${entry.version} has ended`);
            this.report(entry.version, 'unloaded', started);
            resolve();
          });
      };
      if (entry.inFlight === 0) finish();
      else entry.onDrained = finish;
    });
  }
}

function asLoadError(cause: unknown): ModelServingError {
  if (cause instanceof ModelServingError) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ModelLoadError(message);
}

/** The engine of a version and, when there was a choice, why (for its status). */
function engineOf(executor: ModelExecutor): string {
  return executor.engineNote ? `${executor.backend} (${executor.engineNote})` : executor.backend;
}
