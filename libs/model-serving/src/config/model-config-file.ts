import { readFile } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import {
  type ModelConfig,
  type PredictionLogOptions,
  type VersionPolicy,
} from './model-serving-options.interface.js';
import { TextFormatParser } from './text-format.parser.js';
import { type TextEntry, type TextFormatSchema, type TextMessage } from './text-format.schema.js';
import { type TextLocation } from './text-format.tokenizer.js';

type MessageName =
  | 'ModelServerConfig'
  | 'ModelConfigList'
  | 'ModelConfig'
  | 'ServableVersionPolicy'
  | 'Latest'
  | 'All'
  | 'Specific'
  | 'VersionLabelsEntry'
  | 'LoggingConfig'
  | 'LogCollectorConfig'
  | 'SamplingConfig';

const STRING = { kind: 'string' } as const;
const INT = { kind: 'int' } as const;
/** The part of TF Serving's `model_server_config.proto` this parser understands. */
const SCHEMA = {
  ModelServerConfig: {
    model_config_list: { kind: 'message', message: 'ModelConfigList' },
    custom_model_config: { kind: 'unsupported', hint: 'use model_config_list' },
  },
  ModelConfigList: { config: { kind: 'message', message: 'ModelConfig', repeated: true } },
  ModelConfig: {
    name: STRING,
    base_path: STRING,
    model_type: { kind: 'enum' },
    model_platform: STRING,
    model_version_policy: { kind: 'message', message: 'ServableVersionPolicy' },
    version_labels: { kind: 'message', message: 'VersionLabelsEntry', repeated: true },
    logging_config: { kind: 'message', message: 'LoggingConfig' },
  },
  LoggingConfig: {
    log_collector_config: { kind: 'message', message: 'LogCollectorConfig' },
    sampling_config: { kind: 'message', message: 'SamplingConfig' },
    custom_logging_config: { kind: 'unsupported', hint: 'this server logs to TFRecord files only' },
  },
  LogCollectorConfig: { type: STRING, filename_prefix: STRING },
  SamplingConfig: {
    sampling_rate: { kind: 'float' },
    attributes: INT,
    per_task_sampling_configs: { kind: 'any', repeated: true },
  },
  ServableVersionPolicy: {
    latest: { kind: 'message', message: 'Latest', oneof: 'policy_choice' },
    all: { kind: 'message', message: 'All', oneof: 'policy_choice' },
    specific: { kind: 'message', message: 'Specific', oneof: 'policy_choice' },
  },
  Latest: { num_versions: INT },
  All: {},
  Specific: { versions: { kind: 'int', repeated: true } },
  VersionLabelsEntry: { key: STRING, value: INT },
} as const satisfies TextFormatSchema<MessageName>;

type Parsed<N extends MessageName> = TextMessage<typeof SCHEMA, N>;

/**
 * `model_platform` values served: TF Serving's own (`tensorflow`, which every TF Serving config
 * writes, so the files still decide) and the other engines' (`tfjs`, `onnx`), which pin the
 * model's loader.
 */
const SERVED_PLATFORMS: ReadonlySet<string> = new Set(['', 'tensorflow', 'tfjs', 'onnx']);
/**
 * Log collector types served: TF Serving registers collectors by name and ships none; this
 * server's own writes TFRecord files of `PredictionLog`s, under `file` (or no name).
 */
const SERVED_COLLECTORS: ReadonlySet<string> = new Set(['', 'file']);
/** The deprecated `model_type` values that mean what `model_platform: "tensorflow"` means. */
const TENSORFLOW_MODEL_TYPES: ReadonlySet<string> = new Set([
  'TENSORFLOW',
  '1',
  'MODEL_TYPE_UNSPECIFIED',
  '0',
]);

/** Receives one warning about a config file, already prefixed with `file:line:column`. */
export type ModelConfigWarning = (message: string) => void;

const logger = new Logger('ModelServing');
/** Warnings already logged: a config file re-read every poll warns once, not on each read. */
const logged = new Set<string>();
const logOnce: ModelConfigWarning = (message) => {
  if (logged.has(message)) return;
  logged.add(message);
  logger.warn(message);
};

/** Turns a parsed `ModelServerConfig` into model configs, with the checks the syntax cannot make. */
class ModelConfigConverter {
  private readonly names = new Set<string>();

  constructor(
    private readonly parser: TextFormatParser<typeof SCHEMA>,
    private readonly warn: ModelConfigWarning,
    private readonly fileName?: string,
  ) {}

  convert(root: Parsed<'ModelServerConfig'>): ModelConfig[] {
    return (root.model_config_list?.value.config ?? []).map((entry) => this.model(entry));
  }

  private fail(at: TextLocation, message: string): never {
    return this.parser.fail(at, message);
  }

  private warnAt(at: TextLocation, message: string): void {
    const place = `${at.line}:${at.column}`;
    this.warn(`${this.fileName ? `${this.fileName}:${place}` : place}: ${message}`);
  }

  /** Fields that are read but not served yet: each gets a warning at its place in the file. */
  private unserved(entry: TextEntry<Parsed<'ModelConfig'>>, modelName: string): void {
    const { model_platform: platform, model_type: type } = entry.value;
    if (platform && !SERVED_PLATFORMS.has(platform.value)) {
      this.warnAt(
        platform.valueAt,
        `model_platform "${platform.value}" of model "${modelName}" is not served: the format is recognised from each version's files (SavedModel, TensorFlow.js, ONNX) and the value is ignored`,
      );
    }
    if (type && !TENSORFLOW_MODEL_TYPES.has(type.value)) {
      this.warnAt(
        type.valueAt,
        `model_type ${type.value} of model "${modelName}" is not served (TF Serving deprecated model_type for model_platform): the value is ignored`,
      );
    }
  }

  /** `logging_config` as `predictionLog`; sampling by data centre or attributes is not served. */
  private predictionLog(
    logging: TextEntry<Parsed<'LoggingConfig'>>,
    modelName: string,
  ): PredictionLogOptions {
    const collector = logging.value.log_collector_config;
    const type = collector?.value.type;
    if (type && !SERVED_COLLECTORS.has(type.value)) {
      this.fail(
        type.valueAt,
        `log collector type "${type.value}" of model "${modelName}" is not served: this server writes TFRecord files of PredictionLogs (type "file")`,
      );
    }
    const prefix = collector?.value.filename_prefix;
    if (!prefix?.value) {
      this.fail(
        prefix?.valueAt ?? collector?.at ?? logging.at,
        `logging_config of model "${modelName}" needs log_collector_config.filename_prefix`,
      );
    }
    const sampling = logging.value.sampling_config;
    const rate = sampling?.value.sampling_rate;
    if (rate && !(rate.value >= 0 && rate.value <= 1)) {
      this.fail(rate.valueAt, `sampling_rate must be in [0, 1], got ${rate.value}`);
    }
    const unserved =
      sampling?.value.per_task_sampling_configs?.[0] ??
      (sampling?.value.attributes?.value ? sampling.value.attributes : undefined);
    if (unserved) {
      this.warnAt(
        unserved.at,
        `sampling by data centre, task or request attributes of model "${modelName}" is not served: sampling_rate applies to every call`,
      );
    }
    // TF Serving's SamplingConfig defaults the rate to 0: nothing is logged.
    return { filenamePrefix: prefix.value, samplingRate: rate?.value ?? 0 };
  }

  private model(entry: TextEntry<Parsed<'ModelConfig'>>): ModelConfig {
    const { name, base_path: basePath, model_version_policy: policy } = entry.value;
    if (!name?.value) this.fail(name?.valueAt ?? entry.at, 'model name must not be empty');
    const modelName = name.value;
    if (this.names.has(modelName)) this.fail(name.valueAt, `duplicate model name "${modelName}"`);
    this.names.add(modelName);
    const pathAt = basePath?.valueAt ?? entry.at;
    if (!basePath?.value) this.fail(pathAt, `base_path of model "${modelName}" must not be empty`);
    this.unserved(entry, modelName);
    const config: ModelConfig = { name: modelName, basePath: basePath.value };
    // Every TF Serving config says "tensorflow", whatever the files: only the other engines'
    // names pin the loader.
    const platform = entry.value.model_platform?.value;
    if (platform === 'tfjs' || platform === 'onnx') config.platform = platform;
    const versionPolicy = policy && this.versionPolicy(policy.value);
    if (versionPolicy) config.versionPolicy = versionPolicy;
    const labels = entry.value.version_labels;
    if (labels) config.versionLabels = this.versionLabels(labels);
    const logging = entry.value.logging_config;
    if (logging) config.predictionLog = this.predictionLog(logging, modelName);
    return config;
  }

  private versionPolicy(policy: Parsed<'ServableVersionPolicy'>): VersionPolicy | undefined {
    const { latest, all, specific } = policy;
    if (latest) {
      const num = latest.value.num_versions;
      const n = num?.value ?? 0;
      const at = num?.valueAt ?? latest.at;
      if (n < 1 || n > 0xffffffff) this.fail(at, `num_versions must be a uint32 >= 1, got ${n}`);
      return { latest: n };
    }
    if (all) return { all: true };
    return specific && { specific: (specific.value.versions ?? []).map((v) => v.value) };
  }

  private versionLabels(
    entries: readonly TextEntry<Parsed<'VersionLabelsEntry'>>[],
  ): Record<string, number> {
    const labels = new Map<string, number>();
    for (const entry of entries) {
      const { key, value } = entry.value;
      if (!key?.value) {
        this.fail(key?.valueAt ?? entry.at, 'version label key must not be empty');
      }
      const label = key.value;
      if (!value) this.fail(entry.at, `version label "${label}" has no value`);
      if (value.value < 0) {
        this.fail(value.valueAt, `version label "${label}" must be a non-negative version`);
      }
      if (labels.has(label)) this.fail(key.valueAt, `duplicate version label "${label}"`);
      labels.set(label, value.value);
    }
    // fromEntries, not assignment, so a label called "__proto__" stays an ordinary key.
    return Object.fromEntries(labels);
  }
}

/**
 * Parses TF Serving's text-format `ModelServerConfig` (the file behind `--model_config_file`) into
 * model configs. Only `model_config_list` is supported. `logging_config` becomes
 * `predictionLog` (collector type `file` or none; sampling by task or attributes is not served
 * and warned about). `model_type` and `model_platform` are read and not served: a
 * `model_platform` other than `tensorflow`, `tfjs` or `onnx` (the format is recognised from the
 * files anyway) and a `model_type` other than `TENSORFLOW` give a warning naming
 * `file:line:column`, and are otherwise ignored. `${VAR}` placeholders are kept literally.
 * @param fileName - named in errors and warnings
 * @param warn - receives the warnings; by default each distinct one is logged once (Nest Logger)
 * @throws ModelServingConfigError naming `file:line:column` on bad syntax, unknown fields, wrong
 * value kinds, duplicate fields, empty or duplicate model names and invalid version policies or labels.
 * @publicApi
 */
export function parseModelConfigText(
  text: string,
  fileName?: string,
  warn: ModelConfigWarning = logOnce,
): ModelConfig[] {
  const parser = new TextFormatParser(SCHEMA, fileName);
  return new ModelConfigConverter(parser, warn, fileName).convert(
    parser.parse(text, 'ModelServerConfig'),
  );
}

/**
 * Reads and parses a TF Serving model config file. Relative `base_path` values are kept as
 * written (TF Serving resolves them against its working directory).
 * @param warn - receives warnings about fields not served, as in {@link parseModelConfigText}
 * @throws ModelServingConfigError when the file cannot be read or is invalid
 * @publicApi
 */
export async function readModelConfigFile(
  path: string,
  warn: ModelConfigWarning = logOnce,
): Promise<ModelConfig[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const reason = error.code ?? error.message;
    throw new ModelServingConfigError(`cannot read model config file ${path}: ${reason}`, {
      file: path,
    });
  });
  return parseModelConfigText(text, path, warn);
}
