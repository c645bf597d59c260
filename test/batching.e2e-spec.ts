import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type LoggerService } from '@nestjs/common';
import { GrpcStatusCode, InferenceObserver, type InferenceRecord } from 'nest-model-serving';
import {
  call,
  callError,
  type makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { post } from './helpers/http.js';
import { irisMath } from './helpers/iris-math.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { describeIfPresent, SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp, type ServingApp } from './helpers/serving-app.js';
import { SlowModelLoader } from './helpers/slow-model-loader.js';

/** Keeps what the run path reports. */
class Recorder extends InferenceObserver {
  readonly records: InferenceRecord[] = [];
  observe(record: InferenceRecord): void {
    this.records.push(record);
  }
  take(): InferenceRecord[] {
    return this.records.splice(0);
  }
}

/** Keeps the log lines, to read what batching said. */
class Lines implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
}

const json = 'application/json';
const rows = [
  [5.1, 3.5, 1.4, 0.2],
  [6.2, 2.9, 4.3, 1.3],
  [7.7, 3.0, 6.1, 2.3],
  [5.0, 3.4, 1.5, 0.2],
  [6.4, 3.2, 4.5, 1.5],
  [6.3, 3.3, 6.0, 2.5],
];

const close = (actual: number[][], expected: number[][]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
};

describe.each([0, 2])('batching a real model (workers: %i)', (workers) => {
  const recorder = new Recorder();
  const logger = new Lines();
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        workers,
        models: [
          { name: 'iris', basePath: join(SAMPLE_MODELS, 'iris'), versionPolicy: { specific: [2] } },
        ],
        batching: {
          maxBatchSize: 8,
          batchTimeoutMicros: 300_000,
          allowedBatchSizes: [4, 8],
          numBatchThreads: 1,
        },
        observers: [recorder],
      },
      'express',
      { grpc: true, logger },
    );
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  it('says what it batches with', () => {
    expect(logger.lines).toContainEqual(
      "model 'iris' version 2 batching: max_batch_size=8 batch_timeout_micros=300000 max_enqueued_batches=10 num_batch_threads=1 allowed_batch_sizes=[4,8]",
    );
  });

  it('runs concurrent single-example requests as one padded batch, each answered with its own rows', async () => {
    recorder.take();
    const answers = await Promise.all(
      rows.map((row) =>
        post(`${serving.url}/v1/models/iris:predict`, JSON.stringify({ instances: [row] }), json),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      close(answer.json.predictions, irisMath(2, [rows[i]!]));
    });
    const records = recorder.take();
    expect(records).toHaveLength(rows.length);
    // Six examples padded up to the allowed size 8, in one batch that waited for its timeout.
    expect(records.map((r) => r.batchSize)).toEqual(rows.map(() => 8));
    for (const record of records) {
      expect(record.queueWaitMs).toBeGreaterThan(0);
      expect(record.runMs).toBeGreaterThan(0);
      expect(record.code).toBe(GrpcStatusCode.OK);
    }
  });

  it('splits a request larger than max_batch_size into batches and answers it whole, in order', async () => {
    recorder.take();
    const many = Array.from({ length: 20 }, (_, i) =>
      rows[i % rows.length]!.map((v) => v + i / 10),
    );
    const big = await post(
      `${serving.url}/v1/models/iris:predict`,
      JSON.stringify({ instances: many }),
      json,
    );
    expect(big.status).toBe(200);
    close(big.json.predictions, irisMath(2, many));
    // One call, run as batches of 8, 8 and 4: the trace holds the last piece's batch.
    expect(recorder.take().map((r) => r.code)).toEqual([GrpcStatusCode.OK]);
  });

  it('joins requests of several rows and every protocol in the same batch', async () => {
    recorder.take();
    const [rest, v2] = await Promise.all([
      post(
        `${serving.url}/v1/models/iris:predict`,
        JSON.stringify({ instances: rows.slice(0, 2) }),
        json,
      ),
      post(
        `${serving.url}/v2/models/iris/infer`,
        JSON.stringify({
          inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: rows[2] }],
        }),
        json,
      ),
    ]);
    close(rest.json.predictions, irisMath(2, rows.slice(0, 2)));
    expect(v2.status).toBe(200);
    close([Array.from(v2.json.outputs[0].data as number[])], irisMath(2, [rows[2]!]));
    const records = recorder.take();
    expect(records.map((r) => [r.protocol, r.batchSize])).toEqual(
      expect.arrayContaining([
        ['rest', 4],
        ['v2_rest', 4],
      ]),
    );
  });
});

describeIfPresent(REFERENCE_PROTOS)('batching queues, deadlines and limits', () => {
  let base: Awaited<ReturnType<typeof tempDir>>;
  let loader: SlowModelLoader;
  let serving: ServingApp;
  let prediction: ReturnType<typeof makeClient>;
  const recorder = new Recorder();
  const predict = (x: number) =>
    post(`${serving.url}/v1/models/slow:predict`, JSON.stringify({ instances: [x] }), json);

  beforeAll(async () => {
    base = await tempDir('batching-');
    await mkdir(join(base.path, '1'));
    loader = new SlowModelLoader({ models: ['slow'], runMs: 400 });
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        workers: 0,
        restApiTimeoutMs: 2_000,
        loaders: [loader],
        models: [{ name: 'slow', basePath: base.path }],
        batching: {
          maxBatchSize: 2,
          batchTimeoutMicros: 0,
          maxEnqueuedBatches: 1,
          numBatchThreads: 1,
        },
        observers: [recorder],
      },
      'express',
      { grpc: true },
    );
    prediction = predictionClient(serving.grpcAddress!);
  });

  afterAll(async () => {
    prediction?.close();
    loader?.settle();
    await serving?.app.close();
    await base?.cleanup();
  });

  it('refuses a request with 429 at once when the queue is full, and serves the others', async () => {
    const running = predict(1); // takes the only batch thread for 400 ms
    await waitFor(() => Promise.resolve(loader.started === 1 ? true : undefined));
    const queued = [predict(2), predict(3)]; // fill the one batch that may wait
    await new Promise((r) => setTimeout(r, 50));
    const startedAt = Date.now();
    const refused = await predict(4);
    expect(Date.now() - startedAt).toBeLessThan(300);
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/^batching queue of model 'slow' version 1 .*is full/);
    expect((await running).json).toEqual({ predictions: [1] });
    expect((await Promise.all(queued)).map((r) => r.json)).toEqual([
      { predictions: [2] },
      { predictions: [3] },
    ]);
    // Two engine runs: the first request alone, then the two queued ones as one batch.
    expect(loader.started).toBe(2);
  });

  it('drops a request whose gRPC deadline passes while it is queued, before its batch runs', async () => {
    const before = loader.started;
    const running = predict(5);
    await waitFor(() => Promise.resolve(loader.started === before + 1 ? true : undefined));
    const late = await callError(
      prediction,
      'Predict',
      {
        model_spec: { name: 'slow' },
        inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [6] } },
      },
      150,
    );
    expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect((await running).json).toEqual({ predictions: [5] });
    await new Promise((r) => setTimeout(r, 100));
    // The expired request never reached the engine.
    expect(loader.started).toBe(before + 1);
    const ok = await call(prediction, 'Predict', {
      model_spec: { name: 'slow' },
      inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [7] } },
    });
    expect(ok.outputs.y.float_val).toEqual([7]);
  });
});

describe('auto-tuned batching (batching: true, as --enable_batching alone)', () => {
  const logger = new Lines();
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        workers: 0,
        batching: true,
        models: [
          { name: 'iris', basePath: join(SAMPLE_MODELS, 'iris'), versionPolicy: { specific: [2] } },
        ],
      },
      'express',
      { logger },
    );
  });

  afterAll(async () => {
    await serving?.app.close();
  });

  it('logs the cost curve it measured and the parameters it picked, and serves right values', async () => {
    const line = logger.lines.find((l) => l.includes('batching picked from its cost curve'));
    expect(line).toMatch(
      /^model 'iris' version 2 batching picked from its cost curve on 'serving_default' \(1: [\d.]+ ms, 8: [\d.]+ ms, 32: [\d.]+ ms, 128: [\d.]+ ms\): max_batch_size=\d+ batch_timeout_micros=\d+ /,
    );
    const answers = await Promise.all(
      rows.map((row) =>
        post(`${serving.url}/v1/models/iris:predict`, JSON.stringify({ instances: [row] }), json),
      ),
    );
    answers.forEach((answer, i) => close(answer.json.predictions, irisMath(2, [rows[i]!])));
  });
});
