import { join } from 'node:path';
import { DEFAULT_PROMETHEUS_PATH, type ModelServingModuleOptions } from 'nest-model-serving';
import {
  call,
  callError,
  type makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { get, post } from './helpers/http.js';
import { describeIfPresent, SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const HALF = join(SAMPLE_MODELS, 'half_plus_two');
const IRIS = join(SAMPLE_MODELS, 'iris');
const OPTIONS: ModelServingModuleOptions = {
  pollIntervalMs: 0,
  models: [
    { name: 'half_plus_two', basePath: HALF },
    { name: 'iris', basePath: IRIS, versionPolicy: { all: true } },
  ],
};

/** An app with metrics on (at `path`), as `forRoot({ metrics })` mounts them. */
function startMetricsApp(
  platform: 'express' | 'fastify',
  { grpc = false, path = DEFAULT_PROMETHEUS_PATH } = {},
): Promise<ServingApp> {
  return startServingApp({ ...OPTIONS, metrics: { enabled: true, path } }, platform, { grpc });
}

const predictHalf = (url: string, path = 'half_plus_two') =>
  post(`${url}/v1/models/${path}:predict`, '{"instances": [1.0, 2.0, 5.0]}');

async function scrape(url: string, path = DEFAULT_PROMETHEUS_PATH): Promise<string[]> {
  const res = await get(`${url}${path}`);
  expect(res.status).toBe(200);
  expect(res.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.text.split('\n');
}

/** Checks each line on its own, so a failure names the missing line. */
function expectLines(lines: string[], expected: string[]): void {
  for (const line of expected) expect(lines).toContain(line);
}

describeIfPresent(REFERENCE_PROTOS)('Prometheus metrics (TF Serving names and ours)', () => {
  let serving: ServingApp;
  let prediction: ReturnType<typeof makeClient>;

  beforeAll(async () => {
    serving = await startMetricsApp('express', { grpc: true });
    prediction = predictionClient(serving.grpcAddress!);
  });

  afterAll(async () => {
    prediction?.close();
    await serving?.app.close();
  });

  it('serves load metrics for every loaded version before any request', async () => {
    expectLines(await scrape(serving.url), [
      `:tensorflow:cc:saved_model:load_attempt_count{model_path="${HALF}/1",status="success"} 1`,
      `:tensorflow:cc:saved_model:load_attempt_count{model_path="${IRIS}/1",status="success"} 1`,
      `:tensorflow:cc:saved_model:load_attempt_count{model_path="${IRIS}/2",status="success"} 1`,
      'model_serving_model_loads_total{model="half_plus_two",code="OK"} 1',
      'model_serving_model_loads_total{model="iris",code="OK"} 2',
      'model_serving_model_load_seconds_count{model="iris",code="OK"} 2',
      'model_serving_version_state{model="half_plus_two",version="1",state="AVAILABLE"} 1',
      'model_serving_version_state{model="half_plus_two",version="1",state="LOADING"} 0',
      'model_serving_version_state{model="iris",version="1",state="AVAILABLE"} 1',
      'model_serving_version_state{model="iris",version="2",state="AVAILABLE"} 1',
      '# TYPE model_serving_event_loop_lag_seconds gauge',
    ]);
  });

  it('counts REST and gRPC requests under both name sets, by outcome and signature', async () => {
    for (let i = 0; i < 3; i++) expect((await predictHalf(serving.url)).status).toBe(200);
    expect((await predictHalf(serving.url, 'half_plus_two/versions/9')).status).toBe(404);
    const request = {
      model_spec: { name: 'half_plus_two' },
      inputs: {
        x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [4] },
      },
    };
    for (let i = 0; i < 2; i++) await call(prediction, 'Predict', request);
    const missing = await callError(prediction, 'Predict', {
      ...request,
      model_spec: { name: 'nope' },
    });
    expect(missing.code).toBe(5);

    const lines = await scrape(serving.url);
    expectLines(lines, [
      ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 5',
      ':tensorflow:serving:request_count{model_name="half_plus_two",status="NOT_FOUND"} 1',
      ':tensorflow:serving:request_count{model_name="nope",status="NOT_FOUND"} 1',
      ':tensorflow:serving:request_latency_count{model_name="half_plus_two",API="predict",entrypoint="REST"} 3',
      ':tensorflow:serving:request_latency_count{model_name="half_plus_two",API="Predict",entrypoint="GRPC"} 2',
      ':tensorflow:serving:request_latency_bucket{le="+Inf",model_name="half_plus_two",API="Predict",entrypoint="GRPC"} 2',
      ':tensorflow:serving:runtime_latency_count{model_name="half_plus_two",API="Predict",runtime="TF1"} 5',
      'model_serving_requests_total{model="half_plus_two",version="1",signature="serving_default",protocol="rest",code="OK"} 3',
      'model_serving_requests_total{model="half_plus_two",version="1",signature="serving_default",protocol="grpc",code="OK"} 2',
      'model_serving_requests_total{model="half_plus_two",version="",signature="",protocol="rest",code="NOT_FOUND"} 1',
      'model_serving_requests_total{model="nope",version="",signature="",protocol="grpc",code="NOT_FOUND"} 1',
      'model_serving_request_duration_seconds_count{model="half_plus_two",version="1",signature="serving_default",protocol="rest",code="OK"} 3',
      'model_serving_run_duration_seconds_count{model="half_plus_two",version="1",signature="serving_default"} 5',
    ]);
    // Failed requests have no TF Serving latency, as in TF Serving.
    expect(lines.filter((l) => l.includes('request_latency_count'))).toHaveLength(2);
  });
});

describe('Prometheus metrics of two apps in one process', () => {
  let express: ServingApp;
  let fastify: ServingApp;

  beforeAll(async () => {
    express = await startMetricsApp('express');
    fastify = await startMetricsApp('fastify', { path: '/metrics' });
  });

  afterAll(async () => {
    await express?.app.close();
    await fastify?.app.close();
  });

  it('keeps a registry per app, on Express and Fastify alike', async () => {
    expect((await predictHalf(express.url)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await predictHalf(fastify.url)).status).toBe(200);
    expectLines(await scrape(express.url), [
      ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 1',
      'model_serving_model_loads_total{model="iris",code="OK"} 2',
    ]);
    expectLines(await scrape(fastify.url, '/metrics'), [
      ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 2',
      'model_serving_model_loads_total{model="iris",code="OK"} 2',
    ]);
    expect((await get(`${fastify.url}${DEFAULT_PROMETHEUS_PATH}`)).status).toBe(404);
  });
});
