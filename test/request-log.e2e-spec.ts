import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type LoggerService } from '@nestjs/common';
import { type makeClient, predictionClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { describeIfPresent, SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** Keeps the request log's lines (context `ModelServingRequests`), parsed. */
class RequestLines implements LoggerService {
  readonly lines: { level: string; entry: Record<string, unknown> }[] = [];
  log(message: unknown, context?: unknown): void {
    this.keep('log', message, context);
  }
  warn(message: unknown, context?: unknown): void {
    this.keep('warn', message, context);
  }
  error(): void {}
  private keep(level: string, message: unknown, context: unknown): void {
    if (context === 'ModelServingRequests') {
      this.lines.push({ level, entry: JSON.parse(String(message)) as Record<string, unknown> });
    }
  }
}

const HALF = join(SAMPLE_MODELS, 'half_plus_two');

describeIfPresent(REFERENCE_PROTOS)('request ids and request logs', () => {
  const logger = new RequestLines();
  let serving: ServingApp;
  let prediction: ReturnType<typeof makeClient>;

  beforeAll(async () => {
    serving = await startServingApp(
      { pollIntervalMs: 0, models: [{ name: 'half_plus_two', basePath: HALF }], requestLog: true },
      'express',
      { grpc: true, logger },
    );
    prediction = predictionClient(serving.grpcAddress!);
  });

  afterAll(async () => {
    prediction?.close();
    await serving?.app.close();
  });

  const predict = (headers: Record<string, string> = {}, model = 'half_plus_two') =>
    fetch(`${serving.url}/v1/models/${model}:predict`, {
      method: 'POST',
      body: '{"instances": [1, 2]}',
      headers: { 'content-type': 'application/json', ...headers },
    });

  it("echoes the client's x-request-id and logs the call under it", async () => {
    logger.lines.length = 0;
    const res = await predict({ 'x-request-id': 'client-id-42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('client-id-42');
    expect(logger.lines).toEqual([
      {
        level: 'log',
        entry: expect.objectContaining({
          requestId: 'client-id-42',
          model: 'half_plus_two',
          version: 1,
          signature: 'serving_default',
          protocol: 'rest',
          method: 'predict',
          status: 'OK',
        }),
      },
    ]);
    expect(logger.lines[0]!.entry['latencyMs']).toEqual(expect.any(Number));
  });

  it('makes an id when the client sends none or an unsafe one, and logs failures at WARN', async () => {
    logger.lines.length = 0;
    const made = await predict();
    const id = made.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await predict({ 'x-request-id': 'two words' }, 'nope');
    expect(unsafe.status).toBe(404);
    const replaced = unsafe.headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(logger.lines.map((l) => [l.level, l.entry['requestId'], l.entry['status']])).toEqual([
      ['log', id, 'OK'],
      ['warn', replaced, 'NOT_FOUND'],
    ]);
  });

  it('reads and echoes x-request-id in gRPC metadata', async () => {
    logger.lines.length = 0;
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'grpc-id-7');
    const echoed = await new Promise<grpc.Metadata>((resolve, reject) => {
      const call = prediction['Predict']!(
        {
          model_spec: { name: 'half_plus_two' },
          inputs: {
            x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [3] },
          },
        },
        metadata,
        (error: grpc.ServiceError | null) => (error ? reject(error) : undefined),
      );
      call.on('metadata', resolve);
    });
    expect(echoed.get('x-request-id')).toEqual(['grpc-id-7']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logger.lines.map((l) => [l.entry['requestId'], l.entry['protocol']])).toEqual([
      ['grpc-id-7', 'grpc'],
    ]);
  });

  it('echoes x-request-id in the metadata of a failed gRPC call, and answers the call', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'grpc-id-8');
    let echoed: grpc.Metadata | undefined;
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = prediction['Predict']!(
        { model_spec: { name: 'no_such_model' }, inputs: {} },
        metadata,
        (failure: grpc.ServiceError | null) => resolve(failure),
      );
      call.on('metadata', (received: grpc.Metadata) => (echoed = received));
    });
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(echoed?.get('x-request-id')).toEqual(['grpc-id-8']);
  });
});
