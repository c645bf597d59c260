import {
  type BackendName,
  type ModelServingModuleOptions,
} from '../config/model-serving-options.interface.js';

type FlagKind = 'int' | 'bool' | 'string';

interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Accepted now for compatibility; a later release serves it. */
  readonly later?: boolean;
  readonly defaultValue?: string | number | boolean;
}

/** `tensorflow_model_server`'s flags that this command knows, plus a few of its own. */
export const FLAGS: Readonly<Record<string, FlagSpec>> = {
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
  backend: {
    kind: 'string',
    help: 'engine: auto | wasm | cpu | tensorflow (this server only)',
    defaultValue: 'auto',
  },
  enable_batching: {
    kind: 'bool',
    help: 'batch requests together',
    later: true,
    defaultValue: false,
  },
  batching_parameters_file: { kind: 'string', help: 'text-format BatchingParameters', later: true },
  monitoring_config_file: {
    kind: 'string',
    help: 'text-format MonitoringConfig (Prometheus)',
    later: true,
  },
  rest_api_timeout_in_ms: {
    kind: 'int',
    help: 'REST request deadline',
    later: true,
    defaultValue: 30_000,
  },
  enable_model_warmup: {
    kind: 'bool',
    help: 'replay assets.extra warm-up requests',
    later: true,
    defaultValue: true,
  },
  grpc_max_threads: {
    kind: 'int',
    help: 'gRPC threads (Node has one; accepted and ignored)',
    later: true,
  },
  rest_api_num_threads: {
    kind: 'int',
    help: 'REST threads (Node has one; accepted and ignored)',
    later: true,
  },
  help: { kind: 'bool', help: 'print this list and exit', defaultValue: false },
};

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

function value<T extends string | number | boolean>(flags: FlagValues, name: string): T {
  return (flags[name] ?? FLAGS[name]!.defaultValue) as T;
}

/** What the command runs: module options plus where to listen. */
export interface ServerPlan {
  readonly options: ModelServingModuleOptions;
  readonly restPort: number;
  readonly restHost: string;
  readonly grpcPort: number;
  readonly grpcHost: string;
}

/** Turns flags into module options with TF Serving's rules and units. */
export function planServer(flags: FlagValues): ServerPlan {
  const basePath = flags['model_base_path'] as string | undefined;
  const configFile = flags['model_config_file'] as string | undefined;
  if (basePath && configFile)
    throw new FlagError('give --model_base_path or --model_config_file, not both');
  if (!basePath && !configFile)
    throw new FlagError('give --model_base_path or --model_config_file');
  for (const port of ['port', 'rest_api_port']) {
    const p = value<number>(flags, port);
    if (p < 0 || p > 65535) throw new FlagError(`--${port} must be between 0 and 65535, got ${p}`);
  }
  for (const name of [
    'file_system_poll_wait_seconds',
    'model_config_file_poll_wait_seconds',
    'max_num_load_retries',
    'load_retry_interval_micros',
  ]) {
    if (value<number>(flags, name) < 0) throw new FlagError(`--${name} must not be negative`);
  }
  const backend = value<string>(flags, 'backend');
  if (!['auto', 'wasm', 'cpu', 'tensorflow'].includes(backend)) {
    throw new FlagError(`--backend takes auto, wasm, cpu or tensorflow, got "${backend}"`);
  }
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
  };
  return {
    options,
    restPort: value<number>(flags, 'rest_api_port'),
    restHost: value<string>(flags, 'rest_api_host'),
    grpcPort: value<number>(flags, 'port'),
    grpcHost: value<string>(flags, 'grpc_host'),
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
    lines.push(
      `  --${name}=${spec.kind}${def}`,
      `      ${spec.help}${spec.later ? ' [accepted; not served yet]' : ''}`,
    );
  }
  return lines.join('\n');
}
