import { type LogLevel } from '@nestjs/common';
import {
  type BackendName,
  type SavedModelEngine,
  type ModelServingModuleOptions,
} from '../config/model-serving-options.interface.js';
import { type FlagKind, UNSERVED_FLAGS } from './unserved-flags.js';

interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Accepted for compatibility; the warning says what runs instead (see UNSERVED_FLAGS). */
  readonly instead?: string;
  readonly defaultValue?: string | number | boolean;
}

/** Log levels of `--log_level`, quietest first (Nest's Logger levels). */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** The served flags: TF Serving's that this command implements, plus a few of its own. */
const SERVED: Readonly<Record<string, FlagSpec>> = {
  port: { kind: 'int', help: 'gRPC port; 0 turns gRPC off', defaultValue: 8500 },
  grpc_host: {
    kind: 'string',
    help: 'address gRPC binds (this server only)',
    defaultValue: '0.0.0.0',
  },
  rest_api_port: { kind: 'int', help: 'REST port; 0 turns REST off', defaultValue: 8501 },
  rest_api_host: {
    kind: 'string',
    help: 'address REST binds (this server only)',
    defaultValue: '0.0.0.0',
  },
  model_name: {
    kind: 'string',
    help: 'name of the model given by --model_base_path',
    defaultValue: 'default',
  },
  model_base_path: { kind: 'string', help: "directory of the model's version directories" },
  model_config_file: {
    kind: 'string',
    help: 'text-format ModelServerConfig with a model_config_list',
  },
  model_config_file_poll_wait_seconds: {
    kind: 'int',
    help: 'seconds between reloads of --model_config_file; 0 reads it once',
    defaultValue: 0,
  },
  file_system_poll_wait_seconds: {
    kind: 'int',
    help: 'seconds between scans for new versions; 0 scans once',
    defaultValue: 1,
  },
  max_num_load_retries: { kind: 'int', help: 'retries of a failed load', defaultValue: 5 },
  load_retry_interval_micros: {
    kind: 'int',
    help: 'microseconds between load retries',
    defaultValue: 60_000_000,
  },
  enable_model_warmup: {
    kind: 'bool',
    help: 'replay assets.extra/tf_serving_warmup_requests before a version is available',
    defaultValue: true,
  },
  allow_version_labels_for_unavailable_models: {
    kind: 'bool',
    help: 'let version labels point at versions not yet AVAILABLE',
    defaultValue: false,
  },
  enable_batching: {
    kind: 'bool',
    help: 'batch requests to the same model, version and signature; without --batching_parameters_file the parameters are picked from a cost curve measured at load',
    defaultValue: false,
  },
  batching_parameters_file: {
    kind: 'string',
    help: "text-format BatchingParameters (TF Serving's) used with --enable_batching",
  },
  auth_config_file: {
    kind: 'string',
    help: 'JSON auth options (apiKeys, apiKeysFile, apiKeysEnv, jwt, rateLimit, publicHealth, publicMetrics): requests then need an API key or JWT (this server only)',
  },
  monitoring_config_file: {
    kind: 'string',
    help: 'text-format MonitoringConfig: prometheus_config { enable: true, path: "..." } serves Prometheus metrics',
  },
  rest_api_max_body_bytes: {
    kind: 'int',
    help: 'largest REST request body in bytes, counted after gzip/deflate decompression; larger answers 413 (this server only)',
    defaultValue: 32 * 1024 * 1024,
  },
  rest_api_enable_cors_support: {
    kind: 'bool',
    help: "add TF Serving's CORS headers to every REST answer and answer preflights (OPTIONS)",
    defaultValue: false,
  },
  health_port: {
    kind: 'int',
    help: 'also answer /healthz and /readyz on this port, from a worker thread, at once however busy inference keeps the server; 0 = off (this server only)',
    defaultValue: 0,
  },
  rest_api_timeout_in_ms: {
    kind: 'int',
    help: 'REST requests unanswered after this many ms answer 504; 0 = no limit',
    defaultValue: 30_000,
  },
  workers: {
    kind: 'int',
    help: 'worker threads running inference; 0 runs it on the main thread (this server only; default: the number of cores)',
  },
  backend: {
    kind: 'string',
    help: 'engine: auto | wasm | cpu | tensorflow (this server only)',
    defaultValue: 'auto',
  },
  saved_model_engine: {
    kind: 'string',
    help: 'what runs SavedModels: auto (ONNX Runtime when every op translates, else TensorFlow.js) | onnx | tfjs (this server only; default: auto)',
  },
  log_level: {
    kind: 'string',
    help: `${LOG_LEVELS.join(' | ')}; debug and verbose add TensorFlow.js's own lines (this server only)`,
    defaultValue: 'log',
  },
  version: { kind: 'bool', help: 'print the version and exit', defaultValue: false },
  help: { kind: 'bool', help: 'print this list and exit', defaultValue: false },
};

/** Every flag this command knows: the served ones, then TF Serving's accepted ones. */
export const FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...SERVED,
  ...Object.fromEntries(
    Object.entries(UNSERVED_FLAGS).map(([name, { kind, instead }]) => [
      name,
      { kind, help: `not served yet: ${instead}`, instead },
    ]),
  ),
};

/** The warnings for flags given but not served yet, one per flag. */
export function unservedWarnings(flags: FlagValues): string[] {
  return Object.keys(flags).flatMap((name) => {
    const instead = FLAGS[name]?.instead;
    return instead ? [`--${name} is not served yet: ${instead}`] : [];
  });
}

/** Parsed flags: the values given, by flag name. */
export type FlagValues = Readonly<Record<string, string | number | boolean>>;

/** A flag problem; the command prints it with the usage and exits with code 2. */
export class FlagError extends Error {}

function convert(name: string, kind: FlagKind, raw: string): string | number | boolean {
  switch (kind) {
    case 'string':
      return raw;
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new FlagError(`--${name} takes true or false, got "${raw}"`);
    case 'float':
      if (raw.trim() === '' || !Number.isFinite(Number(raw))) {
        throw new FlagError(`--${name} takes a number, got "${raw}"`);
      }
      return Number(raw);
    case 'int': {
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
        throw new FlagError(`--${name} takes an integer, got "${raw}"`);
      }
      return Number(raw);
    }
  }
}

/** Reads `--flag=value`, `--flag value` and bare booleans (one or two dashes, as absl does). */
export function parseFlags(argv: readonly string[]): FlagValues {
  const values: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([A-Za-z0-9_]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!match) throw new FlagError(`unexpected argument "${arg}"`);
    const name = match[1]!;
    const spec = FLAGS[name];
    if (!spec) throw new FlagError(`unknown flag --${name}`);
    let raw = match[2];
    if (raw === undefined) {
      if (spec.kind === 'bool') raw = 'true';
      else if (i + 1 < argv.length) raw = argv[++i]!;
      else throw new FlagError(`--${name} needs a value`);
    }
    values[name] = convert(name, spec.kind, raw);
  }
  return values;
}

function value<T extends string | number | boolean | undefined>(
  flags: FlagValues,
  name: string,
): T {
  return (flags[name] ?? FLAGS[name]!.defaultValue) as T;
}

/** What the command runs: module options plus where to listen. */
export interface ServerPlan {
  readonly options: ModelServingModuleOptions;
  readonly restPort: number;
  readonly restHost: string;
  readonly grpcPort: number;
  readonly grpcHost: string;
  /** The Logger levels `--log_level` turns on. */
  readonly logLevels: LogLevel[];
  /** `--auth_config_file`: read before the module starts. */
  readonly authConfigFile?: string;
  /** `--monitoring_config_file`: read before the module starts. */
  readonly monitoringConfigFile?: string;
  /** `--batching_parameters_file` with `--enable_batching`: read before the module starts. */
  readonly batchingParametersFile?: string;
  /** `--health_port`: the probes' own port (0: none). */
  readonly healthPort: number;
  /** Said once at start (a flag given without the one it needs). */
  readonly notes: string[];
}

/** Turns flags into module options with TF Serving's rules and units. */
export function planServer(flags: FlagValues): ServerPlan {
  const basePath = flags['model_base_path'] as string | undefined;
  const configFile = flags['model_config_file'] as string | undefined;
  if (basePath && configFile)
    throw new FlagError('give --model_base_path or --model_config_file, not both');
  if (!basePath && !configFile)
    throw new FlagError('give --model_base_path or --model_config_file');
  for (const port of ['port', 'rest_api_port', 'health_port']) {
    const p = value<number>(flags, port);
    if (p < 0 || p > 65535) throw new FlagError(`--${port} must be between 0 and 65535, got ${p}`);
  }
  if (value<number>(flags, 'rest_api_max_body_bytes') < 1) {
    throw new FlagError('--rest_api_max_body_bytes must be at least 1');
  }
  if (value<number>(flags, 'port') === 0 && value<number>(flags, 'rest_api_port') === 0) {
    throw new FlagError('--port=0 and --rest_api_port=0 leave nothing to serve');
  }
  for (const name of [
    'file_system_poll_wait_seconds',
    'model_config_file_poll_wait_seconds',
    'max_num_load_retries',
    'load_retry_interval_micros',
    'rest_api_timeout_in_ms',
    'workers',
  ]) {
    if ((value<number | undefined>(flags, name) ?? 0) < 0)
      throw new FlagError(`--${name} must not be negative`);
  }
  const backend = value<string>(flags, 'backend');
  if (!['auto', 'wasm', 'cpu', 'tensorflow'].includes(backend)) {
    throw new FlagError(`--backend takes auto, wasm, cpu or tensorflow, got "${backend}"`);
  }
  const engine = flags['saved_model_engine'] as string | undefined;
  if (engine !== undefined && !['auto', 'onnx', 'tfjs'].includes(engine)) {
    throw new FlagError(`--saved_model_engine takes auto, onnx or tfjs, got "${engine}"`);
  }
  const logLevel = value<string>(flags, 'log_level');
  const level = LOG_LEVELS.indexOf(logLevel as (typeof LOG_LEVELS)[number]);
  if (level < 0) {
    throw new FlagError(`--log_level takes ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const labels = flags['allow_version_labels_for_unavailable_models'];
  const batching = value<boolean>(flags, 'enable_batching');
  const parametersFile = flags['batching_parameters_file'] as string | undefined;
  const notes =
    parametersFile && !batching
      ? ['--batching_parameters_file has no effect without --enable_batching (as in TF Serving)']
      : [];
  const options: ModelServingModuleOptions = {
    ...(basePath
      ? { models: [{ name: value<string>(flags, 'model_name'), basePath }] }
      : { modelConfigFile: configFile }),
    modelConfigFilePollIntervalMs:
      value<number>(flags, 'model_config_file_poll_wait_seconds') * 1000,
    pollIntervalMs: value<number>(flags, 'file_system_poll_wait_seconds') * 1000,
    maxLoadRetries: value<number>(flags, 'max_num_load_retries'),
    loadRetryIntervalMs: Math.round(value<number>(flags, 'load_retry_interval_micros') / 1000),
    backend: backend as BackendName,
    enableModelWarmup: value<boolean>(flags, 'enable_model_warmup'),
    restApiTimeoutMs: value<number>(flags, 'rest_api_timeout_in_ms'),
    maxRequestBodyBytes: value<number>(flags, 'rest_api_max_body_bytes'),
    restApiEnableCorsSupport: value<boolean>(flags, 'rest_api_enable_cors_support'),
    ...(flags['workers'] === undefined ? {} : { workers: flags['workers'] as number }),
    ...(batching ? { batching: true } : {}),
    ...(engine === undefined ? {} : { savedModelEngine: engine as SavedModelEngine }),
    ...(labels === undefined ? {} : { allowVersionLabelsForUnavailableModels: labels === true }),
  };
  return {
    options,
    restPort: value<number>(flags, 'rest_api_port'),
    restHost: value<string>(flags, 'rest_api_host'),
    grpcPort: value<number>(flags, 'port'),
    grpcHost: value<string>(flags, 'grpc_host'),
    healthPort: value<number>(flags, 'health_port'),
    logLevels: ['fatal', ...LOG_LEVELS.slice(0, level + 1)],
    ...(batching && parametersFile ? { batchingParametersFile: parametersFile } : {}),
    ...(flags['auth_config_file'] === undefined
      ? {}
      : { authConfigFile: flags['auth_config_file'] as string }),
    ...(flags['monitoring_config_file'] === undefined
      ? {}
      : { monitoringConfigFile: flags['monitoring_config_file'] as string }),
    notes,
  };
}

/** The `--help` text: every flag, its default, and whether it is served yet. */
export function usage(): string {
  const lines = [
    'usage: model-server --model_base_path=DIR [--model_name=NAME] | --model_config_file=FILE [flags]',
    '',
  ];
  for (const [name, spec] of Object.entries(FLAGS)) {
    const def = spec.defaultValue === undefined ? '' : ` (default ${String(spec.defaultValue)})`;
    lines.push(`  --${name}=${spec.kind}${def}`, `      ${spec.help}`);
  }
  return lines.join('\n');
}
