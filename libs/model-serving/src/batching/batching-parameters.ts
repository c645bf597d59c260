import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { type BatchingOptions } from '../config/model-serving-options.interface.js';
import { TextFormatParser } from '../config/text-format.parser.js';
import { type TextEntry, type TextFormatSchema } from '../config/text-format.schema.js';

/**
 * Batching parameters with every default applied and checked: what a batching queue runs with.
 * @publicApi
 */
export interface BatchingParameters {
  /** Most examples a batch holds; a larger request is split into pieces of at most this. */
  readonly maxBatchSize: number;
  /** How long a batch waits for more requests after its first one (µs); 0 runs at once. */
  readonly batchTimeoutMicros: number;
  /** Batches that may wait (open or closed, not yet running) per signature queue. */
  readonly maxEnqueuedBatches: number;
  /** Batches that may run at once, over all the signatures of one version. */
  readonly numBatchThreads: number;
  /** Sizes a batch is padded up to (strictly increasing, the last equal to `maxBatchSize`); empty pads nothing. */
  readonly allowedBatchSizes: readonly number[];
  /** Whether requests whose inner dimensions differ share batches, zero-padded to the largest. */
  readonly padVariableLengthInputs: boolean;
}

/**
 * TF Serving's defaults (`BasicBatchScheduler::Options` in `basic_batch_scheduler.h`, used by the
 * batching session when `--enable_batching` is given without a parameters file):
 * `max_batch_size` 1000, `batch_timeout_micros` 0, `max_enqueued_batches` 10, `num_batch_threads`
 * the machine's parallelism, no `allowed_batch_sizes`, no padding of variable-length inputs.
 * @publicApi
 */
export function defaultBatchingParameters(): BatchingParameters {
  return {
    maxBatchSize: 1000,
    batchTimeoutMicros: 0,
    maxEnqueuedBatches: 10,
    numBatchThreads: availableParallelism(),
    allowedBatchSizes: [],
    padVariableLengthInputs: false,
  };
}

type Key = keyof BatchingParameters;

/** Checks and completes `options`; `name` says how a field is called in errors. */
function resolveWith(options: BatchingOptions, name: (key: Key) => string): BatchingParameters {
  const defaults = defaultBatchingParameters();
  const fail = (key: Key, message: string, index?: number): never => {
    const field = index === undefined ? name(key) : `${name(key)}[${index}]`;
    throw new ModelServingConfigError(`${field} ${message}`, { field, key, index });
  };
  const integer = (key: Key, value: number, min: number, index?: number): number => {
    if (Number.isSafeInteger(value) && value >= min) return value;
    const want = min === 0 ? 'a non-negative integer' : 'a positive integer';
    return fail(key, `must be ${want}, got ${String(value)}`, index);
  };
  const maxBatchSize = integer('maxBatchSize', options.maxBatchSize ?? defaults.maxBatchSize, 1);
  const allowed = [...(options.allowedBatchSizes ?? [])];
  allowed.forEach((size, i) => {
    integer('allowedBatchSizes', size, 1, i);
    const previous = allowed[i - 1];
    if (previous !== undefined && size <= previous) {
      fail(
        'allowedBatchSizes',
        `must be larger than the size before it (${previous}): allowed batch sizes are strictly increasing`,
        i,
      );
    }
  });
  const last = allowed.at(-1);
  if (last !== undefined && last !== maxBatchSize) {
    fail(
      'allowedBatchSizes',
      `must end with the max batch size (${maxBatchSize}), got ${last}`,
      allowed.length - 1,
    );
  }
  const timeout = options.batchTimeoutMicros ?? defaults.batchTimeoutMicros;
  const enqueued = options.maxEnqueuedBatches ?? defaults.maxEnqueuedBatches;
  const threads = options.numBatchThreads ?? defaults.numBatchThreads;
  return Object.freeze({
    maxBatchSize,
    batchTimeoutMicros: integer('batchTimeoutMicros', timeout, 0),
    maxEnqueuedBatches: integer('maxEnqueuedBatches', enqueued, 1),
    numBatchThreads: integer('numBatchThreads', threads, 1),
    allowedBatchSizes: Object.freeze(allowed),
    padVariableLengthInputs: options.padVariableLengthInputs ?? defaults.padVariableLengthInputs,
  });
}

/**
 * Applies TF Serving's defaults to `options` and checks them.
 * @param field - how the options are named in errors, e.g. `models[0].batching`
 * @throws ModelServingConfigError naming the field when a size, count or timeout is not a
 * (non-negative for the timeout, else positive) integer, or when `allowedBatchSizes` is not
 * strictly increasing or does not end with `maxBatchSize`.
 * @publicApi
 */
export function resolveBatchingParameters(
  options: BatchingOptions = {},
  field = 'batching',
): BatchingParameters {
  return resolveWith(options, (key) => `${field}.${key}`);
}

const INT64_VALUE = { kind: 'message', message: 'Int64Value' } as const;
/** The part of TF Serving's `BatchingParameters` (`session_bundle_config.proto`) that is served. */
const SCHEMA = {
  BatchingParameters: {
    max_batch_size: INT64_VALUE,
    batch_timeout_micros: INT64_VALUE,
    max_enqueued_batches: INT64_VALUE,
    num_batch_threads: INT64_VALUE,
    // Names TF Serving's thread pool; one version's batches share our limit whatever its name.
    thread_pool_name: { kind: 'message', message: 'StringValue' },
    allowed_batch_sizes: { kind: 'int', repeated: true },
    pad_variable_length_inputs: { kind: 'bool' },
    // Large requests are always split here (see BatchScheduler), so only `true` says anything.
    enable_large_batch_splitting: { kind: 'bool' },
    max_execution_batch_size: {
      kind: 'unsupported',
      hint: 'requests larger than max_batch_size are always split into batches of max_batch_size',
    },
  },
  Int64Value: { value: { kind: 'int' } },
  StringValue: { value: { kind: 'string' } },
} as const satisfies TextFormatSchema<'BatchingParameters' | 'Int64Value' | 'StringValue'>;

/**
 * Parses TF Serving's text-format `BatchingParameters` (the file behind
 * `--batching_parameters_file`), e.g. `max_batch_size { value: 128 }`, `allowed_batch_sizes: 32`
 * (repeated) and `pad_variable_length_inputs: true`, then applies defaults and checks as
 * {@link resolveBatchingParameters}. `thread_pool_name` and `enable_large_batch_splitting` are
 * read and have no effect (requests larger than `max_batch_size` are always split).
 * @param fileName - named in errors
 * @throws ModelServingConfigError naming `file:line:column` on bad syntax, unknown fields or
 * invalid values.
 * @publicApi
 */
export function parseBatchingParametersText(text: string, fileName?: string): BatchingParameters {
  const parser = new TextFormatParser(SCHEMA, fileName);
  const parsed = parser.parse(text, 'BatchingParameters');
  const options: BatchingOptions = {};
  const wrapped = (entry: TextEntry<{ value?: TextEntry<number> }> | undefined) =>
    entry && (entry.value.value?.value ?? 0);
  const fields = {
    maxBatchSize: parsed.max_batch_size,
    batchTimeoutMicros: parsed.batch_timeout_micros,
    maxEnqueuedBatches: parsed.max_enqueued_batches,
    numBatchThreads: parsed.num_batch_threads,
  } as const;
  for (const [name, entry] of Object.entries(fields)) {
    const value = wrapped(entry);
    if (value !== undefined) options[name as keyof typeof fields] = value;
  }
  const allowed = parsed.allowed_batch_sizes;
  if (allowed) options.allowedBatchSizes = allowed.map((e) => e.value);
  if (parsed.pad_variable_length_inputs) {
    options.padVariableLengthInputs = parsed.pad_variable_length_inputs.value;
  }
  try {
    return resolveWith(options, (key) => PROTO_FIELDS[key]);
  } catch (error) {
    // Point at the offending value in the file, as the parser does for syntax errors.
    if (!(error instanceof ModelServingConfigError)) throw error;
    const key = error.details?.['key'] as Key;
    const index = error.details?.['index'] as number | undefined;
    const entry: TextEntry<unknown> | readonly TextEntry<unknown>[] | undefined =
      parsed[PROTO_FIELDS[key]];
    const at: TextEntry<unknown> | undefined = isEntryList(entry) ? entry[index ?? 0] : entry;
    // A wrapped value (`max_batch_size { value: 0 }`): point at the number inside.
    const wrapper = at?.value;
    const inner =
      typeof wrapper === 'object' && wrapper !== null && 'value' in wrapper
        ? (wrapper.value as TextEntry<unknown> | undefined)
        : undefined;
    return at
      ? parser.fail((inner ?? at).valueAt, error.message)
      : parser.fail({ line: 1, column: 1 }, error.message);
  }
}

const isEntryList = (
  entry: TextEntry<unknown> | readonly TextEntry<unknown>[] | undefined,
): entry is readonly TextEntry<unknown>[] => Array.isArray(entry);

/** Each parameter's field in `BatchingParameters`. */
const PROTO_FIELDS = {
  maxBatchSize: 'max_batch_size',
  batchTimeoutMicros: 'batch_timeout_micros',
  maxEnqueuedBatches: 'max_enqueued_batches',
  numBatchThreads: 'num_batch_threads',
  allowedBatchSizes: 'allowed_batch_sizes',
  padVariableLengthInputs: 'pad_variable_length_inputs',
} as const satisfies Record<Key, string>;

/**
 * Reads and parses a TF Serving batching parameters file, as {@link parseBatchingParametersText}.
 * @throws ModelServingConfigError when the file cannot be read or is invalid
 * @publicApi
 */
export async function readBatchingParametersFile(path: string): Promise<BatchingParameters> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ModelServingConfigError(
      `cannot read batching parameters file ${path}: ${error.code ?? error.message}`,
      { file: path },
    );
  });
  return parseBatchingParametersText(text, path);
}
