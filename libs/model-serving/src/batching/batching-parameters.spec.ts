import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import {
  defaultBatchingParameters,
  parseBatchingParametersText,
  readBatchingParametersFile,
  resolveBatchingParameters,
} from './batching-parameters.js';
import { itIfPresent, SHARED } from '../../../../test/helpers/paths.js';

function errorOf(run: () => unknown): ModelServingConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelServingConfigError) return error;
    throw error;
  }
  throw new Error('expected a ModelServingConfigError');
}

const REFERENCE = join(SHARED, 'testdata/tf-serving/batching_config.txt');

describe('resolveBatchingParameters', () => {
  it("applies TF Serving's BasicBatchScheduler defaults", () => {
    expect(resolveBatchingParameters()).toEqual({
      maxBatchSize: 1000,
      batchTimeoutMicros: 0,
      maxEnqueuedBatches: 10,
      numBatchThreads: availableParallelism(),
      allowedBatchSizes: [],
      padVariableLengthInputs: false,
    });
    expect(defaultBatchingParameters().maxBatchSize).toBe(1000);
  });

  it('keeps given values and freezes the result', () => {
    const p = resolveBatchingParameters({
      maxBatchSize: 32,
      batchTimeoutMicros: 500,
      allowedBatchSizes: [8, 16, 32],
      padVariableLengthInputs: true,
    });
    expect(p).toMatchObject({
      maxBatchSize: 32,
      batchTimeoutMicros: 500,
      padVariableLengthInputs: true,
    });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.allowedBatchSizes)).toBe(true);
  });

  it.each([
    [{ maxBatchSize: 0 }, 'batching.maxBatchSize must be a positive integer, got 0'],
    [{ maxBatchSize: 1.5 }, 'batching.maxBatchSize must be a positive integer'],
    [{ batchTimeoutMicros: -1 }, 'batching.batchTimeoutMicros must be a non-negative integer'],
    [{ maxEnqueuedBatches: 0 }, 'batching.maxEnqueuedBatches must be a positive integer'],
    [{ numBatchThreads: Number.NaN }, 'batching.numBatchThreads must be a positive integer'],
    [
      { maxBatchSize: 8, allowedBatchSizes: [4, 4, 8] },
      'batching.allowedBatchSizes[1] must be larger',
    ],
    [
      { maxBatchSize: 8, allowedBatchSizes: [0, 8] },
      'batching.allowedBatchSizes[0] must be a positive',
    ],
    [{ maxBatchSize: 8, allowedBatchSizes: [2, 4] }, 'must end with the max batch size (8), got 4'],
  ])('refuses %j', (options, message) => {
    const error = errorOf(() => resolveBatchingParameters(options));
    expect(error.message).toContain(message);
  });

  it('names the field it was given', () => {
    const error = errorOf(() =>
      resolveBatchingParameters({ maxBatchSize: -3 }, 'models[1].batching'),
    );
    expect(error.message).toMatch(/^models\[1\]\.batching\.maxBatchSize /);
    expect(error.details).toMatchObject({ field: 'models[1].batching.maxBatchSize' });
  });
});

describe('parseBatchingParametersText', () => {
  it("reads TF Serving's wrapped, repeated and boolean fields", () => {
    const p = parseBatchingParametersText(
      [
        'max_batch_size { value: 128 }',
        'batch_timeout_micros { value: 2000 }',
        'max_enqueued_batches { value: 100 }',
        'num_batch_threads { value: 4 }',
        'thread_pool_name { value: "batch_threads" }',
        'allowed_batch_sizes: 32',
        'allowed_batch_sizes: 64',
        'allowed_batch_sizes: 128',
        'pad_variable_length_inputs: true',
        'enable_large_batch_splitting: true',
      ].join('\n'),
    );
    expect(p).toEqual({
      maxBatchSize: 128,
      batchTimeoutMicros: 2000,
      maxEnqueuedBatches: 100,
      numBatchThreads: 4,
      allowedBatchSizes: [32, 64, 128],
      padVariableLengthInputs: true,
    });
  });

  it('defaults what the file leaves out', () => {
    expect(parseBatchingParametersText('max_batch_size { value: 4 }')).toEqual({
      ...defaultBatchingParameters(),
      maxBatchSize: 4,
    });
  });

  it('points at the offending value with file:line:column', () => {
    const text = 'max_batch_size { value: 8 }\nallowed_batch_sizes: 4\nallowed_batch_sizes: 2';
    const error = errorOf(() => parseBatchingParametersText(text, 'batching.txt'));
    expect(error.message).toMatch(/^batching\.txt:3:22: allowed_batch_sizes\[1\] must be larger/);
    const zero = errorOf(() => parseBatchingParametersText('max_batch_size { value: 0 }', 'b'));
    expect(zero.message).toMatch(/^b:1:25: max_batch_size must be a positive integer/);
  });

  it('refuses unknown and unsupported fields', () => {
    expect(
      errorOf(() => parseBatchingParametersText('max_batch_sise { value: 1 }')).message,
    ).toContain('unknown field "max_batch_sise"');
    expect(
      errorOf(() => parseBatchingParametersText('max_execution_batch_size { value: 8 }')).message,
    ).toContain('"max_execution_batch_size" is not supported');
  });

  it('reads a file, and names an unreadable one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batching-'));
    try {
      const file = join(dir, 'batching.txt');
      await writeFile(file, 'num_batch_threads { value: 2 }\n');
      await expect(readBatchingParametersFile(file)).resolves.toMatchObject({ numBatchThreads: 2 });
      await expect(readBatchingParametersFile(join(dir, 'missing'))).rejects.toThrow(
        /cannot read batching parameters file .*missing: ENOENT/,
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  itIfPresent(REFERENCE)(
    `parses TF Serving's reference file (skipped when ${REFERENCE} is absent)`,
    async () => {
      await expect(readBatchingParametersFile(REFERENCE)).resolves.toMatchObject({
        maxBatchSize: 128,
        batchTimeoutMicros: 0,
        maxEnqueuedBatches: 1000000,
        numBatchThreads: 8,
      });
    },
  );
});
