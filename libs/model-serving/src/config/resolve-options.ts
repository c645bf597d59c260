import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { InferenceObserver } from '../models/inference-observer.js';
import { type ModelLoader, type SavedModelEngine } from '../models/model.loader.js';
import { DEFAULT_VERSION_POLICY } from '../models/version-policy.js';
import {
  type BackendName,
  type BatchingOptions,
  type ModelConfig,
  type ModelPlatform,
  type ModelServingModuleOptions,
  type PredictionLogOptions,
  type VersionPolicy,
} from './model-serving-options.interface.js';
import { resolveAuthOptions, type ResolvedAuthOptions } from './resolve-auth-options.js';

/** A model entry with defaults applied and its base path made absolute. */
export interface ResolvedModelConfig {
  readonly name: string;
  readonly basePath: string;
  readonly versionPolicy: VersionPolicy;
  readonly versionLabels: Readonly<Record<string, number>>;
  /** The format its versions must have, when pinned. */
  readonly platform?: ModelPlatform;
  /** What runs its SavedModel versions, when the model says. */
  readonly engine?: SavedModelEngine;
  /** This model's batching, when it overrides the module's (checked by the batching plug-in). */
  readonly batching?: boolean | BatchingOptions;
  /** Its sampled call log, when asked for. */
  readonly predictionLog?: Required<PredictionLogOptions>;
}

/** The options every service reads: validated, defaulted, frozen. */
export interface ResolvedModelServingOptions {
  readonly models: readonly ResolvedModelConfig[];
  readonly modelConfigFile?: string;
  readonly modelConfigFilePollIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly maxLoadRetries: number;
  readonly loadRetryIntervalMs: number;
  readonly loadTimeoutMs: number;
  readonly drainDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly backend: BackendName;
  readonly savedModelEngine: SavedModelEngine;
  readonly loaders: readonly ModelLoader[];
  readonly maxRequestBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly maxJsonElements: number;
  readonly restApiEnableCorsSupport: boolean;
  readonly grpcTensorContent: boolean;
  readonly enableModelWarmup: boolean;
  readonly allowVersionLabelsForUnavailableModels: boolean;
  /** As given: checked by the batching plug-in when the module starts. */
  readonly batching: boolean | BatchingOptions;
  readonly workers: number;
  readonly observers: readonly InferenceObserver[];
  /** REST requests answer DEADLINE_EXCEEDED past this (ms); 0 = no limit. */
  readonly restApiTimeoutMs: number;
  /** Liveness fails past this event-loop delay (ms). */
  readonly maxEventLoopLagMs: number;
  /** Request logs, when on. */
  readonly requestLog?: { readonly sampleRate: number };
  /** Authentication; absent when off. */
  readonly auth?: ResolvedAuthOptions;
}

export const DEFAULTS = {
  pollIntervalMs: 1000,
  modelConfigFilePollIntervalMs: 0,
  maxLoadRetries: 5,
  loadRetryIntervalMs: 60_000,
  loadTimeoutMs: 300_000,
  drainDelayMs: 0,
  shutdownTimeoutMs: 30_000,
  backend: 'auto',
  savedModelEngine: 'auto',
  maxRequestBodyBytes: 32 * 1024 * 1024,
  maxJsonDepth: 64,
  maxJsonElements: 8 * 1024 * 1024,
} as const;

const BACKENDS: readonly BackendName[] = ['auto', 'wasm', 'cpu', 'tensorflow'];
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function fail(field: string, problem: string): never {
  throw new ModelServingConfigError(`ModelServingModule option ${field} ${problem}`, { field });
}

function duration(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(field, `must be a number of milliseconds >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function count(field: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(field, `must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    fail(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function resolvePolicy(field: string, policy: unknown): VersionPolicy {
  if (policy === undefined) return DEFAULT_VERSION_POLICY;
  const p = policy as Record<string, unknown>;
  const kinds = typeof p === 'object' && p !== null ? Object.keys(p) : [];
  if (kinds.length !== 1)
    fail(field, 'must be one of { latest: n }, { all: true }, { specific: [versions] }');
  if ('latest' in p) return { latest: count(`${field}.latest`, p['latest'], 1, 1) };
  if ('all' in p) {
    if (p['all'] !== true) fail(`${field}.all`, 'must be true');
    return { all: true };
  }
  if ('specific' in p && Array.isArray(p['specific'])) {
    const versions = p['specific'].map((v, i) => count(`${field}.specific[${i}]`, v, 0));
    return { specific: Object.freeze(versions) };
  }
  return fail(field, 'must be one of { latest: n }, { all: true }, { specific: [versions] }');
}

/** Checks and completes one model entry; `where` names it in errors (e.g. `models[0]`). */
export function resolveModelConfig(model: ModelConfig, where: string): ResolvedModelConfig {
  if (typeof model !== 'object' || model === null) fail(where, 'must be an object');
  if (typeof model.name !== 'string' || !MODEL_NAME.test(model.name)) {
    fail(
      `${where}.name`,
      `must be a non-empty name of letters, digits, '_', '.', '-', got ${JSON.stringify(model.name)}`,
    );
  }
  if (typeof model.basePath !== 'string' || model.basePath === '') {
    fail(`${where}.basePath`, 'must be a non-empty path');
  }
  const labels: Record<string, number> = {};
  for (const [label, version] of Object.entries(model.versionLabels ?? {})) {
    if (!label) fail(`${where}.versionLabels`, 'has an empty label');
    labels[label] = count(`${where}.versionLabels.${label}`, version, 0);
  }
  return Object.freeze({
    name: model.name,
    basePath: isAbsolute(model.basePath) ? model.basePath : resolve(model.basePath),
    versionPolicy: resolvePolicy(`${where}.versionPolicy`, model.versionPolicy),
    versionLabels: Object.freeze(labels),
    ...(model.platform === undefined
      ? {}
      : { platform: platformOption(`${where}.platform`, model.platform) }),
    ...(model.batching === undefined
      ? {}
      : { batching: batchingOption(`${where}.batching`, model.batching) }),
    ...(model.engine === undefined
      ? {}
      : { engine: engineOption(`${where}.engine`, model.engine) }),
    ...(model.predictionLog === undefined
      ? {}
      : { predictionLog: predictionLogOption(`${where}.predictionLog`, model.predictionLog) }),
  });
}

const DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_FILE_BYTES = 1024 * 1024 * 1024;

function predictionLogOption(field: string, value: unknown): Required<PredictionLogOptions> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, 'must be an object { filenamePrefix, samplingRate }');
  }
  const { filenamePrefix, samplingRate, maxRecordBytes, maxFileBytes } =
    value as Partial<PredictionLogOptions>;
  if (typeof filenamePrefix !== 'string' || filenamePrefix === '') {
    fail(`${field}.filenamePrefix`, 'must be a non-empty path prefix');
  }
  if (typeof samplingRate !== 'number' || !(samplingRate >= 0 && samplingRate <= 1)) {
    fail(
      `${field}.samplingRate`,
      `must be a number in [0, 1], got ${JSON.stringify(samplingRate)}`,
    );
  }
  return Object.freeze({
    filenamePrefix: isAbsolute(filenamePrefix) ? filenamePrefix : resolve(filenamePrefix),
    samplingRate,
    maxRecordBytes: count(`${field}.maxRecordBytes`, maxRecordBytes, DEFAULT_MAX_RECORD_BYTES, 1),
    maxFileBytes: count(`${field}.maxFileBytes`, maxFileBytes, DEFAULT_MAX_FILE_BYTES, 1),
  });
}

const PLATFORMS: readonly ModelPlatform[] = ['tensorflow', 'tfjs', 'onnx'];
const ENGINES: readonly SavedModelEngine[] = ['auto', 'onnx', 'tfjs'];

function engineOption(field: string, value: unknown): SavedModelEngine {
  if (!ENGINES.includes(value as SavedModelEngine)) {
    fail(field, `must be one of ${ENGINES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as SavedModelEngine;
}

function platformOption(field: string, value: unknown): ModelPlatform {
  if (!PLATFORMS.includes(value as ModelPlatform)) {
    fail(field, `must be one of ${PLATFORMS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ModelPlatform;
}

function requestLogOption(value: unknown): { requestLog?: { sampleRate: number } } {
  if (value === undefined || value === false) return {};
  if (value === true) return { requestLog: { sampleRate: 1 } };
  const rate: unknown =
    typeof value === 'object' && value !== null && 'sampleRate' in value ? value.sampleRate : 1;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof rate !== 'number' ||
    !(rate >= 0 && rate <= 1)
  ) {
    fail('requestLog', `must be true, false or { sampleRate: 0..1 }, got ${JSON.stringify(value)}`);
  }
  return { requestLog: { sampleRate: rate } };
}

function batchingOption(field: string, value: unknown): boolean | BatchingOptions {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(
      field,
      `must be true, false or an object of batching parameters, got ${JSON.stringify(value)}`,
    );
  }
  return Object.freeze({ ...(value as BatchingOptions) });
}

/** Checks a whole model list: entries valid, names unique. */
export function resolveModelList(
  models: readonly ModelConfig[],
  field: string,
): ResolvedModelConfig[] {
  const seen = new Set<string>();
  return models.map((model, i) => {
    const resolved = resolveModelConfig(model, `${field}[${i}]`);
    if (seen.has(resolved.name))
      fail(`${field}[${i}].name`, `repeats the model name "${resolved.name}"`);
    seen.add(resolved.name);
    return resolved;
  });
}

/** Applies defaults and validates; the first problem fails boot naming its field. */
export function resolveOptions(
  options: ModelServingModuleOptions = {},
): ResolvedModelServingOptions {
  if (options.models !== undefined && !Array.isArray(options.models))
    fail('models', 'must be a list');
  if (
    options.modelConfigFile !== undefined &&
    (typeof options.modelConfigFile !== 'string' || !options.modelConfigFile)
  ) {
    fail('modelConfigFile', 'must be a non-empty path');
  }
  const backend = options.backend ?? DEFAULTS.backend;
  if (!BACKENDS.includes(backend))
    fail('backend', `must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`);
  const loaders = options.loaders ?? [];
  if (!Array.isArray(loaders)) fail('loaders', 'must be a list of ModelLoader instances');
  const observers = options.observers ?? [];
  if (!Array.isArray(observers) || observers.some((o) => !(o instanceof InferenceObserver))) {
    fail('observers', 'must be a list of InferenceObserver instances');
  }
  return Object.freeze({
    models: Object.freeze(resolveModelList(options.models ?? [], 'models')),
    modelConfigFile: options.modelConfigFile,
    modelConfigFilePollIntervalMs: duration(
      'modelConfigFilePollIntervalMs',
      options.modelConfigFilePollIntervalMs,
      DEFAULTS.modelConfigFilePollIntervalMs,
    ),
    pollIntervalMs: duration('pollIntervalMs', options.pollIntervalMs, DEFAULTS.pollIntervalMs),
    maxLoadRetries: count('maxLoadRetries', options.maxLoadRetries, DEFAULTS.maxLoadRetries),
    loadRetryIntervalMs: duration(
      'loadRetryIntervalMs',
      options.loadRetryIntervalMs,
      DEFAULTS.loadRetryIntervalMs,
    ),
    loadTimeoutMs: duration('loadTimeoutMs', options.loadTimeoutMs, DEFAULTS.loadTimeoutMs),
    drainDelayMs: duration('drainDelayMs', options.drainDelayMs, DEFAULTS.drainDelayMs),
    shutdownTimeoutMs: duration(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs,
      DEFAULTS.shutdownTimeoutMs,
    ),
    backend,
    savedModelEngine: engineOption(
      'savedModelEngine',
      options.savedModelEngine ?? DEFAULTS.savedModelEngine,
    ),
    loaders: Object.freeze([...loaders]),
    grpcTensorContent: flag('grpcTensorContent', options.grpcTensorContent, false),
    enableModelWarmup: flag('enableModelWarmup', options.enableModelWarmup, true),
    allowVersionLabelsForUnavailableModels: flag(
      'allowVersionLabelsForUnavailableModels',
      options.allowVersionLabelsForUnavailableModels,
      false,
    ),
    batching: options.batching === undefined ? false : batchingOption('batching', options.batching),
    workers: count('workers', options.workers, availableParallelism()),
    observers: Object.freeze([...observers]),
    restApiTimeoutMs: duration('restApiTimeoutMs', options.restApiTimeoutMs, 0),
    maxEventLoopLagMs: count('maxEventLoopLagMs', options.maxEventLoopLagMs, 5000, 1),
    ...requestLogOption(options.requestLog),
    auth: resolveAuthOptions(options.auth),
    maxRequestBodyBytes: count(
      'maxRequestBodyBytes',
      options.maxRequestBodyBytes,
      DEFAULTS.maxRequestBodyBytes,
      1,
    ),
    maxJsonDepth: count('maxJsonDepth', options.maxJsonDepth, DEFAULTS.maxJsonDepth, 1),
    maxJsonElements: count('maxJsonElements', options.maxJsonElements, DEFAULTS.maxJsonElements, 1),
    restApiEnableCorsSupport: flag(
      'restApiEnableCorsSupport',
      options.restApiEnableCorsSupport,
      false,
    ),
  });
}
