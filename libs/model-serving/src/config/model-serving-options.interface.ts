import { type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import { type InferenceObserver } from '../models/inference-observer.js';
import {
  type BackendName,
  type ModelLoader,
  type SavedModelEngine,
} from '../models/model.loader.js';
import { type AuthOptions } from './auth-options.interface.js';

export type { BackendName, SavedModelEngine } from '../models/model.loader.js';

/**
 * Which versions of a model should be served, as TF Serving's `model_version_policy`.
 * @publicApi
 */
export type VersionPolicy = { latest: number } | { all: true } | { specific: readonly number[] };

/**
 * One served model: a base path whose numeric sub-directories are its versions.
 * @publicApi
 */
export interface ModelConfig {
  /** The name clients use (`/v1/models/{name}`). */
  name: string;
  /** A directory holding version directories such as `1/` or `00000123/`. */
  basePath: string;
  /** @defaultValue `{ latest: 1 }` */
  versionPolicy?: VersionPolicy;
  /** Labels to versions, e.g. `{ stable: 1, canary: 2 }`. Labels resolve only to AVAILABLE versions. */
  versionLabels?: Readonly<Record<string, number>>;
  /**
   * Pins the format, as `model_platform` in a config file: `tensorflow` (SavedModel), `tfjs` or
   * `onnx`; versions then load only with that engine's loader. Absent, the files decide (a
   * config file's `tensorflow`, which TF Serving configs always write, does not pin).
   */
  platform?: ModelPlatform;
  /**
   * What runs this model's SavedModel versions, overriding the module's `savedModelEngine`:
   * `onnx` (translated to ONNX, on ONNX Runtime), `tfjs`, or `auto`.
   */
  engine?: SavedModelEngine;
  /**
   * Batching for this model, overriding the module's `batching`: `false` turns it off, `true`
   * picks the parameters itself, an object gives them.
   */
  batching?: boolean | BatchingOptions;
  /**
   * Logs a sample of this model's successful predict, classify, regress and MultiInference
   * calls as TF Serving's `PredictionLog`s in TFRecord files, as a config file's
   * `logging_config` asks: the files replay as warm-up data
   * (`assets.extra/tf_serving_warmup_requests`) and read with any TFRecord reader. Off when
   * absent.
   */
  predictionLog?: PredictionLogOptions;
}

/**
 * Where and how often calls are logged (TF Serving's `LoggingConfig`).
 * @publicApi
 */
export interface PredictionLogOptions {
  /**
   * Path prefix of the files (`log_collector_config.filename_prefix`); each process writes
   * `<prefix>.<UTC start time>.<pid>.<n>.tfrecord`, making the directory if it is missing.
   */
  filenamePrefix: string;
  /** Fraction of calls logged, in [0, 1] (`sampling_config.sampling_rate`). */
  samplingRate: number;
  /**
   * A sampled call whose record (request and answer) serializes to more bytes is not logged;
   * the first such call of each model is warned about. @defaultValue 4 MiB
   */
  maxRecordBytes?: number;
  /**
   * A file that would grow past this many bytes is closed and the next one opened (`<n>` + 1).
   * @defaultValue 1 GiB
   */
  maxFileBytes?: number;
}

/** The formats a model can be pinned to (`model_platform`). @publicApi */
export type ModelPlatform = 'tensorflow' | 'tfjs' | 'onnx';

/**
 * TF Serving's `BatchingParameters`, in camelCase. Requests to the same model, version and
 * signature are queued and run together, concatenated along dimension 0.
 * @publicApi
 */
export interface BatchingOptions {
  /** Most examples a batch holds; a larger request is split. */
  maxBatchSize?: number;
  /** How long the first request of a batch waits for others (µs), as TF Serving. */
  batchTimeoutMicros?: number;
  /** Batches that may wait per queue; a request beyond them is refused (429). */
  maxEnqueuedBatches?: number;
  /** Batches that may run at once per queue. */
  numBatchThreads?: number;
  /** Batch sizes a batch is padded up to; the last must equal `maxBatchSize`. */
  allowedBatchSizes?: readonly number[];
  /** Pad inputs of differing inner dimensions to the longest, as TF Serving's option. */
  padVariableLengthInputs?: boolean;
}

/**
 * Options of `ModelServingModule.forRoot()` / `forRootAsync()`.
 * @publicApi
 */
export interface ModelServingModuleOptions {
  /** Models to serve. Either this, `modelConfigFile`, `@Servable` classes, or a mix. */
  models?: ModelConfig[];
  /** Path of a TF Serving text-format `ModelServerConfig` holding a `model_config_list`. */
  modelConfigFile?: string;
  /** Re-read `modelConfigFile` this often (ms); 0 reads it once. @defaultValue 0 */
  modelConfigFilePollIntervalMs?: number;
  /** How often version directories are scanned (ms); 0 scans once. @defaultValue 1000 */
  pollIntervalMs?: number;
  /** Extra tries after a failed load before the version ends with its error. @defaultValue 5 */
  maxLoadRetries?: number;
  /** Wait between load tries (ms). @defaultValue 60000 (TF Serving's 60 s) */
  loadRetryIntervalMs?: number;
  /**
   * On shutdown, how long readiness reports 503 (so load balancers stop sending) while requests
   * are still served (ms). @defaultValue 0
   */
  drainDelayMs?: number;
  /** On shutdown, how long in-flight requests may take to finish (ms). @defaultValue 30000 */
  shutdownTimeoutMs?: number;
  /** How long boot waits for the initial versions (ms). @defaultValue 300000 */
  loadTimeoutMs?: number;
  /** Engine. @defaultValue `'auto'` */
  backend?: BackendName;
  /**
   * What runs SavedModel versions (models from `modelConfigFile` included; a model's `engine`
   * overrides it): `auto` translates each version to ONNX and runs it on ONNX Runtime when
   * `onnxruntime-node` is installed and every op translates, else on TensorFlow.js; `onnx`
   * fails the load instead of falling back; `tfjs` never translates.
   * @defaultValue `'auto'`
   */
  savedModelEngine?: SavedModelEngine;
  /** More model formats, tried before the built-in ones. */
  loaders?: ModelLoader[];
  /**
   * Largest request body accepted by `configureModelServingApp` (bytes), counted after
   * `Content-Encoding: gzip`/`deflate` decompression; larger bodies answer 413.
   * @defaultValue 33554432 (32 MiB)
   */
  maxRequestBodyBytes?: number;
  /**
   * Deepest nesting of arrays and objects in a JSON request body; deeper answers 400.
   * @defaultValue 64
   */
  maxJsonDepth?: number;
  /**
   * Most elements (array items plus object members) in a JSON request body; more answer 400.
   * @defaultValue 8388608
   */
  maxJsonElements?: number;
  /**
   * Add TF Serving's CORS headers to every REST answer and answer CORS preflights (OPTIONS), as
   * `--rest_api_enable_cors_support` does. @defaultValue false
   */
  restApiEnableCorsSupport?: boolean;
  /**
   * Answer gRPC tensors in `tensor_content` (raw bytes) rather than the typed `*_val` fields
   * TF Serving uses. @defaultValue false
   */
  grpcTensorContent?: boolean;
  /**
   * Replay each SavedModel version's warm-up requests
   * (`assets.extra/tf_serving_warmup_requests`) before it becomes AVAILABLE, as TF Serving's
   * `--enable_model_warmup`; false skips the replay. @defaultValue true
   */
  enableModelWarmup?: boolean;
  /**
   * Let `versionLabels` point at versions that are not AVAILABLE yet, as TF Serving's
   * `--allow_version_labels_for_unavailable_models`. Off, a label to a version that is not
   * AVAILABLE is refused with a warning and keeps its previous version until that one is.
   * @defaultValue false
   */
  allowVersionLabelsForUnavailableModels?: boolean;
  /**
   * Dynamic batching, as TF Serving's `--enable_batching`: `true` picks the parameters from a
   * cost curve measured at warm-up, an object gives them (per-model `batching` overrides).
   * @defaultValue false
   */
  batching?: boolean | BatchingOptions;
  /**
   * Worker threads that run inference, each with its own engine, so HTTP, health and metrics
   * stay responsive while inference saturates the cores. 0 runs inference on the main thread.
   * @defaultValue the number of cores
   */
  workers?: number;
  /**
   * REST requests still unanswered after this long answer 504 DEADLINE_EXCEEDED, and their work
   * is dropped if it has not started, as TF Serving's `--rest_api_timeout_in_ms` (ms); 0 = none.
   * @defaultValue 0
   */
  restApiTimeoutMs?: number;
  /**
   * Liveness (`/healthz`) fails once the event loop's worst delay over the last 5-10 s passes this
   * (ms); a failed liveness restarts the pod, so it stays well above GC pauses. @defaultValue 5000
   */
  maxEventLoopLagMs?: number;
  /**
   * Structured request logs: one JSON line per call through Nest's Logger (context
   * `ModelServingRequests`) with its request id, model, version, signature, protocol, status and
   * timings; `sampleRate` (0–1) samples successful calls, failures are always logged.
   * @defaultValue false
   */
  requestLog?: boolean | { sampleRate?: number };
  /** Observers of every inference (metrics, logs): told model, version, timings and outcome. */
  observers?: InferenceObserver[];
  /**
   * API keys and JWT bearer tokens, with per-model grants and optional per-credential rate
   * limits, on every library route and gRPC method (health stays public). @defaultValue off
   */
  auth?: AuthOptions;
}

/** Shape options: seen only when passed synchronously to `forRoot` / `forRootAsync`. @publicApi */
export interface ModelServingModuleExtras {
  /** Register the module globally. @defaultValue true */
  isGlobal: boolean;
  /** TF Serving's REST API. @defaultValue `{ enabled: true, prefix: '' }` */
  rest: { enabled: boolean; prefix?: string };
  /** gRPC API (served by `connectModelServingGrpc`). @defaultValue `{ enabled: false }` */
  grpc: { enabled: boolean };
  /**
   * Prometheus metrics at `path` (TF Serving's `/monitoring/prometheus/metrics`), on a registry of
   * this app's own; `defaultMetrics` adds prom-client's `process_*` and `nodejs_*` metrics.
   * @defaultValue `{ enabled: false }`
   */
  metrics: { enabled: boolean; path?: string; defaultMetrics?: boolean };
  /**
   * Kubernetes probes on terminus: liveness at `livenessPath`, readiness (every model AVAILABLE,
   * not draining) at `readinessPath`, outside any REST prefix. With `port` (and `host`), the same
   * probes are also answered on that port by a worker thread, at once however busy the main
   * thread is (`HealthPortServer`; 0 picks a free port).
   * @defaultValue `{ enabled: true, livenessPath: '/healthz', readinessPath: '/readyz' }`
   */
  health: {
    enabled: boolean;
    livenessPath?: string;
    readinessPath?: string;
    port?: number;
    host?: string;
  };
}

/** A class that makes the options, for `forRootAsync({ useClass })`. @publicApi */
export interface ModelServingOptionsFactory {
  createModelServingOptions(): ModelServingModuleOptions | Promise<ModelServingModuleOptions>;
}

/** Options of `forRootAsync`: `imports`, `inject` and one of `useFactory`, `useClass`, `useExisting`. @publicApi */
export type ModelServingModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  ModelServingModuleOptions,
  'createModelServingOptions'
> &
  Partial<ModelServingModuleExtras>;
