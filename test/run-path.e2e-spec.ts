import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GrpcStatusCode,
  InferenceObserver,
  InferenceService,
  type InferenceRecord,
  type VersionRecord,
  ModelHandle,
  ModelRegistry,
} from 'nest-model-serving';
import { exampleModelDirs, ExampleModelLoader } from './helpers/example-model-loader.js';
import { call, makeClient, predictionClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { post } from './helpers/http.js';
import { describeIfPresent } from './helpers/paths.js';
import { startServingApp, type ServingApp } from './helpers/serving-app.js';
import { SlowModelLoader } from './helpers/slow-model-loader.js';
import { tempDir } from './helpers/model-dirs.js';

/** Keeps what the run path reports. */
class Recorder extends InferenceObserver {
  readonly records: InferenceRecord[] = [];
  readonly versions: VersionRecord[] = [];
  observe(record: InferenceRecord): void {
    this.records.push(record);
  }
  override observeVersion(record: VersionRecord): void {
    this.versions.push(record);
  }
  /** The records since the last call. */
  take(): InferenceRecord[] {
    return this.records.splice(0);
  }
}

const json = 'application/json';

describeIfPresent(REFERENCE_PROTOS)('the one run path', () => {
  const recorder = new Recorder();
  let serving: ServingApp;
  let dirs: Awaited<ReturnType<typeof exampleModelDirs>>;
  let prediction: ReturnType<typeof makeClient>;
  let inference: ReturnType<typeof makeClient>;
  const exampleOf = (x: number) => ({
    features: { feature: { x: { float_list: { value: [x] } } } },
  });

  beforeAll(async () => {
    dirs = await exampleModelDirs();
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        workers: 0,
        loaders: [new ExampleModelLoader()],
        models: dirs.models,
        observers: [recorder],
      },
      'express',
      { grpc: true },
    );
    prediction = predictionClient(serving.grpcAddress!);
    inference = makeClient(
      join(REFERENCE_PROTOS, 'open_inference'),
      ['open_inference_grpc.proto'],
      'inference.GRPCInferenceService',
      serving.grpcAddress!,
    );
  });

  afterAll(async () => {
    prediction?.close();
    inference?.close();
    await serving?.app.close();
    await dirs?.cleanup();
  });

  beforeEach(() => recorder.take());

  it('reports every protocol and method once per call, with the version and signature that ran', async () => {
    const rest = await post(
      `${serving.url}/v1/models/default:predict`,
      '{"instances": [[1], [2]]}',
      json,
    );
    expect(rest.json).toEqual({ predictions: [[2.5], [3]] });
    const classify = await post(
      `${serving.url}/v1/models/default:classify`,
      '{"signature_name": "classify_x_to_y", "examples": [{"x": 2.0}]}',
      json,
    );
    expect(classify.json).toEqual({ results: [[['', 3]]] });
    const regress = await post(
      `${serving.url}/v1/models/default/labels/stable:regress`,
      '{"signature_name": "regress_x_to_y", "examples": [{"x": 4.0}]}',
      json,
    );
    expect(regress.json).toEqual({ results: [4] });
    const v2 = await post(
      `${serving.url}/v2/models/default/infer`,
      '{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 1], "data": [6]}]}',
      json,
    );
    expect(v2.json.outputs[0].data).toEqual([5]);
    const grpcPredict = await call(prediction, 'Predict', {
      model_spec: { name: 'default' },
      inputs: {
        x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 1 }] }, float_val: [8] },
      },
    });
    expect(grpcPredict.outputs.y.float_val).toEqual([6]);
    const multi = await call(prediction, 'MultiInference', {
      tasks: [
        {
          model_spec: { name: 'default', signature_name: 'regress_x_to_y' },
          method_name: 'tensorflow/serving/regress',
        },
        {
          model_spec: { name: 'default', signature_name: 'classify_x_to_y' },
          method_name: 'tensorflow/serving/classify',
        },
      ],
      input: { example_list: { examples: [exampleOf(10)] } },
    });
    expect(multi.results[0].regression_result.regressions).toEqual([{ value: 7 }]);
    const v2Grpc = await call(inference, 'ModelInfer', {
      model_name: 'default',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: ['1', '1'], contents: { fp32_contents: [12] } },
      ],
    });
    expect(v2Grpc.outputs[0].contents.fp32_contents).toEqual([8]);
    const handle = new ModelHandle(
      'default',
      serving.app.get(ModelRegistry),
      serving.app.get(InferenceService),
    );
    const inProcess = await handle.predict({ x: [[14]] });
    expect(Array.from(inProcess['y']!.data as Float32Array)).toEqual([9]);

    const records = recorder.take();
    expect(
      records.map(({ protocol, method, model, version, signature, code }) => ({
        protocol,
        method,
        model,
        version,
        signature,
        code,
      })),
    ).toEqual([
      {
        protocol: 'rest',
        method: 'predict',
        model: 'default',
        version: 123,
        signature: 'serving_default',
        code: 0,
      },
      {
        protocol: 'rest',
        method: 'classify',
        model: 'default',
        version: 123,
        signature: 'classify_x_to_y',
        code: 0,
      },
      {
        protocol: 'rest',
        method: 'regress',
        model: 'default',
        version: 123,
        signature: 'regress_x_to_y',
        code: 0,
      },
      {
        protocol: 'v2_rest',
        method: 'predict',
        model: 'default',
        version: 123,
        signature: 'serving_default',
        code: 0,
      },
      {
        protocol: 'grpc',
        method: 'predict',
        model: 'default',
        version: 123,
        signature: 'serving_default',
        code: 0,
      },
      {
        protocol: 'grpc',
        method: 'multi_inference',
        model: 'default',
        version: 123,
        signature: 'regress_x_to_y,classify_x_to_y',
        code: 0,
      },
      {
        protocol: 'v2_grpc',
        method: 'predict',
        model: 'default',
        version: 123,
        signature: 'serving_default',
        code: 0,
      },
      {
        protocol: 'in_process',
        method: 'predict',
        model: 'default',
        version: 123,
        signature: 'serving_default',
        code: 0,
      },
    ]);
    for (const record of records) {
      expect(record.totalMs).toBeGreaterThan(0);
      expect(record.totalMs).toBeLessThan(5_000);
      expect(record.queueWaitMs).toBe(0);
    }
  });

  it('reports failures with their code, and what was known when they failed', async () => {
    const unknownModel = await post(
      `${serving.url}/v1/models/nope:predict`,
      '{"instances": [1]}',
      json,
    );
    expect(unknownModel.status).toBe(404);
    const badSignature = await post(
      `${serving.url}/v1/models/default:predict`,
      '{"signature_name": "nope", "instances": [1]}',
      json,
    );
    expect(badSignature.status).toBe(400);
    const badInput = await post(
      `${serving.url}/v1/models/default:predict`,
      '{"inputs": {"q": [1]}}',
      json,
    );
    expect(badInput.status).toBe(400);
    expect(
      recorder
        .take()
        .map(({ model, version, signature, code }) => ({ model, version, signature, code })),
    ).toEqual([
      { model: 'nope', version: undefined, signature: undefined, code: GrpcStatusCode.NOT_FOUND },
      {
        model: 'default',
        version: 123,
        signature: undefined,
        code: GrpcStatusCode.INVALID_ARGUMENT,
      },
      {
        model: 'default',
        version: 123,
        signature: 'serving_default',
        code: GrpcStatusCode.INVALID_ARGUMENT,
      },
    ]);
  });

  it('reports each version load and unload with its duration', async () => {
    const loaded = recorder.versions.filter((v) => v.event === 'loaded');
    expect(loaded.map((v) => [v.model, v.version]).sort()).toEqual([
      ['default', 123],
      ['tf2', 123],
    ]);
    for (const record of loaded) expect(record.durationMs).toBeGreaterThan(0);
    const registry = serving.app.get(ModelRegistry);
    await registry.reloadConfig(registry.configs().filter((c) => c.name !== 'tf2'));
    expect(recorder.versions.at(-1)).toMatchObject({
      model: 'tf2',
      version: 123,
      event: 'unloaded',
    });
  });

  it('takes observers added at run time, and a throwing observer does not fail the call', async () => {
    const service = serving.app.get(InferenceService);
    const late = new Recorder();
    const remove = service.addObserver(late);
    const removeBroken = service.addObserver({
      observe: () => {
        throw new Error('broken observer');
      },
    });
    const ok = await post(`${serving.url}/v1/models/default:predict`, '{"instances": [[0]]}', json);
    expect(ok.json).toEqual({ predictions: [[2]] });
    remove();
    removeBroken();
    await post(`${serving.url}/v1/models/default:predict`, '{"instances": [[0]]}', json);
    expect(late.records).toHaveLength(1);
    expect(recorder.take()).toHaveLength(2);
  });
});

describe('REST deadline (restApiTimeoutMs, --rest_api_timeout_in_ms)', () => {
  let serving: ServingApp;
  let base: Awaited<ReturnType<typeof tempDir>>;
  const slow = new SlowModelLoader({ models: ['slow'], runMs: 400 });
  const quick = new SlowModelLoader({ models: ['quick'], runMs: 0 });
  const recorder = new Recorder();

  beforeAll(async () => {
    base = await tempDir('run-path-');
    for (const name of ['slow', 'quick'])
      await mkdir(join(base.path, name, '1'), { recursive: true });
    serving = await startServingApp({
      pollIntervalMs: 0,
      workers: 0,
      restApiTimeoutMs: 150,
      loaders: [slow, quick],
      models: [
        { name: 'slow', basePath: join(base.path, 'slow') },
        { name: 'quick', basePath: join(base.path, 'quick') },
      ],
      observers: [recorder],
    });
  });

  afterAll(async () => {
    slow.settle();
    quick.settle();
    await serving?.app.close();
    await base?.cleanup();
  });

  it('answers 504 with the error body when the model runs past the timeout, and keeps serving', async () => {
    recorder.take();
    const started = Date.now();
    const late = await post(`${serving.url}/v1/models/slow:predict`, '{"instances": [1]}', json);
    expect(late.status).toBe(504);
    expect(late.json).toEqual({ error: 'Deadline exceeded while the model ran' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const quick = await post(
      `${serving.url}/v1/models/quick:predict`,
      '{"instances": [1, 2]}',
      json,
    );
    expect(quick.json).toEqual({ predictions: [1, 2] });
    expect(recorder.take().map((r) => [r.model, r.code])).toEqual([
      ['slow', GrpcStatusCode.DEADLINE_EXCEEDED],
      ['quick', GrpcStatusCode.OK],
    ]);
  });
});
