import { Registry } from 'prom-client';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { type InferenceRecord } from '../models/inference-observer.js';
import { exponentialBuckets } from './metric-names.js';
import { ModelServingMetricsObserver, type VersionStateSample } from './metrics.observer.js';

const record = (over: Partial<InferenceRecord> = {}): InferenceRecord => ({
  model: 'm',
  version: 1,
  signature: 'serving_default',
  method: 'predict',
  protocol: 'rest',
  code: GrpcStatusCode.OK,
  totalMs: 2,
  queueWaitMs: 0,
  runMs: 1,
  ...over,
});

/** Checks each line on its own, so a failure names the missing line. */
function expectLines(lines: string[], expected: string[]): void {
  for (const line of expected) expect(lines).toContain(line);
}

async function scrape(observer: ModelServingMetricsObserver): Promise<string[]> {
  return (await observer.registry.metrics()).split('\n');
}

describe('exponentialBuckets', () => {
  it("matches TensorFlow's Buckets::Exponential bounds as TF prints them (six digits)", () => {
    expect(exponentialBuckets(10, 1.8, 33).slice(0, 5)).toEqual([10, 18, 32.4, 58.32, 104.976]);
    expect(exponentialBuckets(10, 1.8, 33)).toHaveLength(33);
    expect(exponentialBuckets(1, 2, 14).at(-1)).toBe(8192);
  });
});

describe('ModelServingMetricsObserver', () => {
  it("counts TF Serving's REST and gRPC requests, latency only on success", async () => {
    const observer = new ModelServingMetricsObserver(new Registry());
    observer.observe(record({ totalMs: 1.5 }));
    observer.observe(record({ protocol: 'grpc', totalMs: 3 }));
    observer.observe(record({ code: GrpcStatusCode.NOT_FOUND, version: undefined, runMs: 0 }));
    // Not TF Serving's APIs: counted in our set only.
    observer.observe(record({ protocol: 'v2_rest' }));
    observer.observe(record({ protocol: 'grpc', method: 'multi_inference' }));
    const lines = await scrape(observer);
    expectLines(lines, [
      '# TYPE :tensorflow:serving:request_count counter',
      ':tensorflow:serving:request_count{model_name="m",status="OK"} 2',
      ':tensorflow:serving:request_count{model_name="m",status="NOT_FOUND"} 1',
      ':tensorflow:serving:request_latency_count{model_name="m",API="predict",entrypoint="REST"} 1',
      ':tensorflow:serving:request_latency_sum{model_name="m",API="predict",entrypoint="REST"} 1500',
      ':tensorflow:serving:request_latency_bucket{le="10",model_name="m",API="predict",entrypoint="REST"} 0',
      ':tensorflow:serving:request_latency_count{model_name="m",API="Predict",entrypoint="GRPC"} 1',
      ':tensorflow:serving:runtime_latency_count{model_name="m",API="Predict",runtime="TF1"} 3',
      'model_serving_requests_total{model="m",version="1",signature="serving_default",protocol="rest",code="OK"} 1',
      'model_serving_requests_total{model="m",version="",signature="serving_default",protocol="rest",code="NOT_FOUND"} 1',
      'model_serving_requests_total{model="m",version="1",signature="serving_default",protocol="v2_rest",code="OK"} 1',
      'model_serving_run_duration_seconds_count{model="m",version="1",signature="serving_default"} 4',
    ]);
    expect(lines.filter((l) => l.includes('queu'))).toEqual([
      '# HELP :tensorflow:serving:batching_session:queuing_latency Distribution of wall time spent (in microseconds) in queuing',
      '# TYPE :tensorflow:serving:batching_session:queuing_latency histogram',
      '# HELP model_serving_queue_wait_seconds Seconds a batched call waited in its batching queue.',
      '# TYPE model_serving_queue_wait_seconds histogram',
    ]);
  });

  it('records queue waits and batch sizes of batched calls only', async () => {
    const observer = new ModelServingMetricsObserver(new Registry());
    observer.observe(record({ queueWaitMs: 4, batchSize: 8 }));
    observer.observe(record({ queueWaitMs: 0 }));
    const lines = await scrape(observer);
    expectLines(lines, [
      ':tensorflow:serving:batching_session:queuing_latency_count{thread_pool_name=""} 1',
      ':tensorflow:serving:batching_session:queuing_latency_sum{thread_pool_name=""} 4000',
      'model_serving_queue_wait_seconds_sum{model="m",version="1",signature="serving_default"} 0.004',
      'model_serving_batch_size_bucket{le="8",model="m",version="1",signature="serving_default"} 1',
      'model_serving_batch_size_bucket{le="4",model="m",version="1",signature="serving_default"} 0',
    ]);
  });

  it('counts load attempts by outcome, and load latency of successful ones', async () => {
    const observer = new ModelServingMetricsObserver(new Registry(), {
      modelPath: (model, version) => `/models/${model}/${version}`,
    });
    observer.observeVersion({ model: 'm', version: 1, event: 'loaded', durationMs: 12.5 });
    observer.observeVersion({
      model: 'm',
      version: 2,
      event: 'failed',
      durationMs: 3,
      code: GrpcStatusCode.INVALID_ARGUMENT,
      final: true,
    });
    observer.observeVersion({ model: 'm', version: 1, event: 'unloaded', durationMs: 1 });
    const lines = await scrape(observer);
    expectLines(lines, [
      ':tensorflow:cc:saved_model:load_attempt_count{model_path="/models/m/1",status="success"} 1',
      ':tensorflow:cc:saved_model:load_attempt_count{model_path="/models/m/2",status="fail"} 1',
      ':tensorflow:cc:saved_model:load_latency{model_path="/models/m/1"} 12500',
      'model_serving_model_loads_total{model="m",code="OK"} 1',
      'model_serving_model_loads_total{model="m",code="INVALID_ARGUMENT"} 1',
      'model_serving_model_load_seconds_count{model="m",code="OK"} 1',
    ]);
    expect(
      lines.filter((l) => l.startsWith(':tensorflow:cc:saved_model:load_latency{')),
    ).toHaveLength(1);
  });

  it('reads version states at each scrape, one series per state', async () => {
    let states: VersionStateSample[] = [{ model: 'm', version: 2, state: 'LOADING' }];
    const observer = new ModelServingMetricsObserver(new Registry(), {
      versionStates: () => states,
    });
    expectLines(await scrape(observer), [
      'model_serving_version_state{model="m",version="2",state="LOADING"} 1',
      'model_serving_version_state{model="m",version="2",state="AVAILABLE"} 0',
    ]);
    states = [{ model: 'm', version: 3, state: 'AVAILABLE' }];
    const lines = (await scrape(observer)).filter((l) =>
      l.startsWith('model_serving_version_state{'),
    );
    expect(lines).toHaveLength(5);
    expect(lines).toContain(
      'model_serving_version_state{model="m",version="3",state="AVAILABLE"} 1',
    );
  });

  it('keeps registries apart', async () => {
    const a = new ModelServingMetricsObserver(new Registry());
    const b = new ModelServingMetricsObserver(new Registry());
    a.observe(record());
    expect(await scrape(a)).toContain(
      ':tensorflow:serving:request_count{model_name="m",status="OK"} 1',
    );
    expect(
      (await scrape(b)).filter((l) => l.startsWith(':tensorflow:serving:request_count{')),
    ).toEqual([]);
  });
});
