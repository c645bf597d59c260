import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  call,
  callError,
  makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { describeIfPresent, ROOT } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';
import { SlowModelLoader } from './helpers/slow-model-loader.js';

const PROTOS_DIR = join(ROOT, 'libs', 'model-serving', 'src', 'protos');

const predictRequest = (x: number) => ({
  model_spec: { name: 'slow' },
  inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [x] } },
});

/** The messages of a Watch stream, and the status it ended with. */
function watch(client: grpc.Client & Record<string, any>) {
  const statuses: string[] = [];
  const stream = client['Watch']({ service: '' }) as grpc.ClientReadableStream<{ status: string }>;
  stream.on('data', (message) => statuses.push(message.status));
  const ended = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  stream.on('error', () => undefined); // the status event carries the outcome
  return { statuses, ended, cancel: () => stream.cancel() };
}

describeIfPresent(REFERENCE_PROTOS)('gRPC during shutdown', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let loader: SlowModelLoader;
  let serving: ServingApp | undefined;
  const clients: grpc.Client[] = [];

  const start = async (
    options: { drainDelayMs?: number; shutdownTimeoutMs?: number },
    runMs = 3000,
  ) => {
    loader = new SlowModelLoader({ models: ['slow'], runMs });
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        ...options,
        loaders: [loader],
        models: [{ name: 'slow', basePath: join(base.path, 'slow') }],
      },
      'express',
      { grpc: true },
    );
    const health = makeClient(
      PROTOS_DIR,
      ['grpc/health/v1/health.proto'],
      'grpc.health.v1.Health',
      serving.grpcAddress!,
    );
    const prediction = predictionClient(serving.grpcAddress!);
    clients.push(health, prediction);
    return { app: serving.app, health, prediction };
  };

  beforeAll(async () => {
    base = await tempDir('grpc-drain');
    await mkdir(join(base.path, 'slow', '1'), { recursive: true });
  });

  afterEach(async () => {
    loader?.settle();
    for (const client of clients.splice(0)) client.close();
    await serving?.app.close();
    serving = undefined;
  });

  afterAll(async () => {
    await base.cleanup();
  });

  it('health turns NOT_SERVING (Watch sends it, then ends), in-flight calls finish, new ones get UNAVAILABLE', async () => {
    const { app, health, prediction } = await start({ drainDelayMs: 2000 });
    const watcher = watch(health);
    await waitFor(() => Promise.resolve(watcher.statuses.length > 0 ? true : undefined));
    expect(watcher.statuses).toEqual(['SERVING']);
    expect(await call(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });

    const inFlight = call(prediction, 'Predict', predictRequest(7), 20_000);
    await waitFor(() => Promise.resolve(loader.started === 1 ? true : undefined));
    const closedAt = Date.now();
    const closing = app.close();
    const at = (ms: number) => new Promise((r) => setTimeout(r, closedAt + ms - Date.now()));

    // Draining: health says NOT_SERVING, while calls are still served.
    await at(500);
    expect(await call(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
    const watchEnd = await watcher.ended;
    expect(watcher.statuses).toEqual(['SERVING', 'NOT_SERVING']);
    expect(watchEnd.code).toBe(grpc.status.OK);
    expect(Date.now() - closedAt).toBeLessThan(2000); // within the drain, not at the close
    await at(1000);
    const late = call(prediction, 'Predict', predictRequest(8), 20_000); // runs until about 4 s

    // Past drainDelayMs, while calls still run (so the server is open): new calls are refused.
    await at(2800);
    expect(await callError(prediction, 'Predict', predictRequest(9))).toEqual({
      code: grpc.status.UNAVAILABLE,
      details: 'The server is shutting down',
    });
    expect((await inFlight).outputs.y.float_val).toEqual([7]);
    expect((await late).outputs.y.float_val).toEqual([8]);
    await closing;
    expect(Date.now() - closedAt).toBeLessThan(15_000);
    expect(loader.finished).toBe(2);
  });

  it('answers a call still running at shutdownTimeoutMs with UNAVAILABLE, so the close ends', async () => {
    const { app, prediction } = await start({ shutdownTimeoutMs: 1000 }, 60_000);
    const stuck = callError(prediction, 'Predict', predictRequest(7), 30_000);
    await waitFor(() => Promise.resolve(loader.started === 1 ? true : undefined));
    const closedAt = Date.now();
    await app.close();
    const took = Date.now() - closedAt;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(5_000);
    expect(await stuck).toEqual({
      code: grpc.status.UNAVAILABLE,
      details: 'The server shut down before the model answered (shutdownTimeoutMs passed)',
    });
    expect(loader.finished).toBe(0);
  });
});
