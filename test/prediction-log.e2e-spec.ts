import { cp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { call, callError, predictionClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { get, post } from './helpers/http.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { describeIfPresent, SHARED } from './helpers/paths.js';
import { type PredictionLogOptions } from 'nest-model-serving';
import { startServingApp } from './helpers/serving-app.js';

const HALF_PLUS_TWO = join(SHARED, 'testdata', 'tf-serving', 'saved_model_half_plus_two_cpu');

/** half_plus_two served as `name`, logging to `<logs>/<name>` at `samplingRate`. */
const logged = (
  name: string,
  logs: string,
  samplingRate: number,
  more: Partial<PredictionLogOptions> = {},
) => ({
  name,
  basePath: HALF_PLUS_TWO,
  predictionLog: { filenamePrefix: join(logs, name), samplingRate, ...more },
});

/** PredictionLog from TF Serving's own protos, not the project's. */
function referenceTypes() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(REFERENCE_PROTOS, target);
  root.loadSync('tensorflow_serving/apis/prediction_log.proto', { keepCase: true });
  return root.lookupType('tensorflow.serving.PredictionLog');
}

/** The records of a TFRecord file, each length and data checksum left to the product's reader. */
function tfRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 0; pos < bytes.length;) {
    const length = Number(view.getBigUint64(pos, true));
    out.push(bytes.subarray(pos + 12, pos + 12 + length));
    pos += 16 + length;
  }
  return out;
}

const floats = (content: Uint8Array): number[] =>
  Array.from(new Float32Array(Uint8Array.from(content).buffer));

async function logFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.tfrecord')).map((f) => join(dir, f));
}

describeIfPresent(HALF_PLUS_TWO)('prediction logs (logging_config)', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const PredictionLog = referenceTypes();

  /** The one record under `logs`, decoded (there must be exactly one). */
  const onlyRecord = async (logs: string): Promise<Record<string, any>> => {
    const [file] = await logFiles(logs);
    const records = tfRecords(await readFile(file!));
    expect(records).toHaveLength(1);
    return PredictionLog.toObject(PredictionLog.decode(records[0]!)) as Record<string, any>;
  };

  beforeAll(async () => {
    dir = await tempDir('prediction-log');
  });

  afterAll(async () => {
    await dir.cleanup();
  });

  it.each(['express', 'fastify'] as const)(
    "writes every sampled call as a PredictionLog TF Serving's protos read, over REST (%s) and gRPC",
    async (platform) => {
      const logs = join(dir.path, `all-${platform}`);
      const serving = await startServingApp(
        {
          pollIntervalMs: 0,
          models: [
            logged('hpt', logs, 1),
            // Not configured: its calls are not logged.
            { name: 'quiet', basePath: HALF_PLUS_TWO },
          ],
        },
        platform,
        { grpc: true },
      );
      const client = predictionClient(serving.grpcAddress!);
      try {
        const url = `${serving.url}/v1/models`;
        expect((await post(`${url}/hpt:predict`, '{"instances": [1.0, 2.0, 5.0]}')).status).toBe(
          200,
        );
        const example = '{"signature_name": "classify_x_to_y", "examples": [{"x": 2.0}]}';
        expect((await post(`${url}/hpt:classify`, example)).status).toBe(200);
        expect(
          (await post(`${url}/hpt:regress`, example.replace('classify', 'regress'))).status,
        ).toBe(200);
        const grpc = await call(client, 'Predict', {
          model_spec: { name: 'hpt' },
          inputs: {
            x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }] }, float_val: [4, 6] },
          },
          output_filter: ['y'],
        });
        expect(grpc.outputs.y.float_val).toEqual([4, 5]);
        const multi = await call(client, 'MultiInference', {
          tasks: [
            {
              model_spec: { name: 'hpt', signature_name: 'classify_x_to_y' },
              method_name: 'tensorflow/serving/classify',
            },
            {
              model_spec: { name: 'hpt', signature_name: 'regress_x_to_y' },
              method_name: 'tensorflow/serving/regress',
            },
          ],
          input: {
            example_list: {
              examples: [{ features: { feature: { x: { float_list: { value: [4] } } } } }],
            },
          },
        });
        expect(multi.results).toHaveLength(2);
        // Failures and unconfigured models are not logged.
        expect((await post(`${url}/hpt:predict`, '{"instances": ["a"]}')).status).toBe(400);
        expect(
          (
            await callError(client, 'Predict', {
              model_spec: { name: 'hpt', signature_name: 'no' },
            })
          ).code,
        ).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect((await post(`${url}/quiet:predict`, '{"instances": [1.0]}')).status).toBe(200);
      } finally {
        client.close();
        await serving.app.close();
      }

      const files = await logFiles(logs);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\/hpt\.\d{8}T\d{6}Z\.\d+\.\d+\.tfrecord$/);
      const records = tfRecords(await readFile(files[0]!)).map((bytes) =>
        PredictionLog.toObject(PredictionLog.decode(bytes), {
          longs: String,
          enums: String,
          oneofs: true,
        }),
      );
      expect(records.map((r) => r['log_type'])).toEqual([
        'predict_log',
        'classify_log',
        'regress_log',
        'predict_log',
        'multi_inference_log',
      ]);
      const spec = (signature: string) => ({
        name: 'hpt',
        version: { value: '123' },
        version_choice: 'version',
        signature_name: signature,
      });
      for (const record of records) {
        expect(record['log_metadata']).toMatchObject({
          sampling_config: { sampling_rate: 1 },
          saved_model_tags: ['serve'],
        });
        expect(
          Math.abs(Number(record['log_metadata'].timestamp_secs) - Date.now() / 1000),
        ).toBeLessThan(120);
      }
      const [rest, classify, regress, grpc, multi] = records as Record<string, any>[];
      expect(rest!['log_metadata'].model_spec).toEqual(spec('serving_default'));
      const x = rest!['predict_log'].request.inputs.x;
      expect(x.dtype).toBe('DT_FLOAT');
      expect(x.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['3']);
      expect(floats(x.tensor_content)).toEqual([1, 2, 5]);
      expect(floats(rest!['predict_log'].response.outputs.y.tensor_content)).toEqual([2.5, 3, 4.5]);
      expect(rest!['predict_log'].response.model_spec).toEqual(spec('serving_default'));

      expect(classify!['classify_log'].request.model_spec).toEqual(spec('classify_x_to_y'));
      expect(classify!['classify_log'].request.input.example_list.examples).toEqual([
        { features: { feature: { x: { kind: 'float_list', float_list: { value: [2] } } } } },
      ]);
      expect(classify!['classify_log'].response.result).toEqual({
        classifications: [{ classes: [{ label: '', score: 3 }] }],
      });
      expect(regress!['regress_log'].response.result).toEqual({ regressions: [{ value: 3 }] });

      expect(grpc!['predict_log'].request.output_filter).toEqual(['y']);
      expect(floats(grpc!['predict_log'].request.inputs.x.tensor_content)).toEqual([4, 6]);
      expect(floats(grpc!['predict_log'].response.outputs.y.tensor_content)).toEqual([4, 5]);

      const { request: tasks, response: answers } = multi!['multi_inference_log'];
      expect(tasks.tasks).toEqual([
        { model_spec: spec('classify_x_to_y'), method_name: 'tensorflow/serving/classify' },
        { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' },
      ]);
      expect(tasks.input.example_list.examples).toHaveLength(1);
      expect(answers.results).toEqual([
        {
          model_spec: spec('classify_x_to_y'),
          classification_result: { classifications: [{ classes: [{ label: '', score: 4 }] }] },
          result: 'classification_result',
        },
        {
          model_spec: spec('regress_x_to_y'),
          regression_result: { regressions: [{ value: 4 }] },
          result: 'regression_result',
        },
      ]);
    },
  );

  it('replays its own log as warm-up requests', async () => {
    const logs = join(dir.path, 'replay');
    const first = await startServingApp({
      pollIntervalMs: 0,
      models: [logged('hpt', logs, 1)],
    });
    const url = `${first.url}/v1/models/hpt`;
    await post(`${url}:predict`, '{"instances": [1.0, 2.0]}');
    await post(`${url}:regress`, '{"signature_name": "regress_x_to_y", "examples": [{"x": 1}]}');
    await first.app.close();
    const [file] = await logFiles(logs);

    // The log becomes the warm-up file of a copy of the version: every record must replay for
    // the version to become AVAILABLE.
    const base = join(dir.path, 'warm');
    await cp(HALF_PLUS_TWO, base, { recursive: true });
    await mkdir(join(base, '00000123', 'assets.extra'), { recursive: true });
    await writeFile(
      join(base, '00000123', 'assets.extra', 'tf_serving_warmup_requests'),
      await readFile(file!),
    );
    const warm = await startServingApp({
      pollIntervalMs: 0,
      models: [{ name: 'hpt', basePath: base }],
    });
    try {
      const status = await waitFor(async () => {
        const res = await get(`${warm.url}/v1/models/hpt`);
        const state = res.json.model_version_status?.[0];
        return state?.state === 'AVAILABLE' ? state : undefined;
      });
      expect(status.status).toEqual({ error_code: 'OK', error_message: '' });
    } finally {
      await warm.app.close();
    }
  });

  it('logs about samplingRate of the calls and nothing at 0', async () => {
    const logs = join(dir.path, 'sampled');
    const serving = await startServingApp({
      pollIntervalMs: 0,
      models: [logged('half', logs, 0.5), logged('none', logs, 0)],
    });
    try {
      for (let i = 0; i < 200; i++) {
        await post(`${serving.url}/v1/models/half:predict`, `{"instances": [${i}]}`);
        await post(`${serving.url}/v1/models/none:predict`, `{"instances": [${i}]}`);
      }
    } finally {
      await serving.app.close();
    }
    const files = await logFiles(logs);
    expect(files.map((f) => f.split('/').pop()!.split('.')[0])).toEqual(['half']);
    const records = tfRecords(await readFile(files[0]!)).length;
    // Binomial(200, 0.5): outside [60, 140] with probability below 1e-8.
    expect(records).toBeGreaterThanOrEqual(60);
    expect(records).toBeLessThanOrEqual(140);
  });

  it('skips a record over maxRecordBytes and keeps logging smaller ones', async () => {
    const logs = join(dir.path, 'capped');
    const serving = await startServingApp({
      pollIntervalMs: 0,
      models: [logged('hpt', logs, 1, { maxRecordBytes: 1000 })],
    });
    try {
      const big = JSON.stringify({ instances: Array.from({ length: 500 }, (_, i) => i) });
      expect((await post(`${serving.url}/v1/models/hpt:predict`, big)).status).toBe(200);
      expect(
        (await post(`${serving.url}/v1/models/hpt:predict`, '{"instances": [7]}')).status,
      ).toBe(200);
    } finally {
      await serving.app.close();
    }
    const log = await onlyRecord(logs);
    expect(floats(log['predict_log'].request.inputs.x.tensor_content)).toEqual([7]);
  });
  it("reads TF Serving's logging_config from a model config file", async () => {
    const logs = join(dir.path, 'config-file');
    const config = join(dir.path, 'models.config');
    await writeFile(
      config,
      [
        'model_config_list {',
        '  config {',
        '    name: "hpt"',
        `    base_path: "${HALF_PLUS_TWO}"`,
        '    model_platform: "tensorflow"',
        '    logging_config {',
        `      log_collector_config { type: "file" filename_prefix: "${join(logs, 'hpt')}" }`,
        '      sampling_config { sampling_rate: 1.0 }',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
    const serving = await startServingApp({ modelConfigFile: config, pollIntervalMs: 0 });
    try {
      await waitFor(async () => {
        const res = await get(`${serving.url}/v1/models/hpt`);
        return res.json.model_version_status?.[0]?.state === 'AVAILABLE' || undefined;
      });
      const res = await post(`${serving.url}/v1/models/hpt:predict`, '{"inputs": [3.0]}');
      expect(res.json).toEqual({ outputs: [3.5] });
    } finally {
      await serving.app.close();
    }
    const log = await onlyRecord(logs);
    expect(floats(log['predict_log'].response.outputs.y.tensor_content)).toEqual([3.5]);
  });
});
