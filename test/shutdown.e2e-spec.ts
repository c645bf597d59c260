import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type LoadContext, ModelExecutor, ModelLoader, type TensorData } from 'nest-model-serving';
import { get, post } from './helpers/http.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { startServingApp } from './helpers/serving-app.js';
import { SlowModelLoader } from './helpers/slow-model-loader.js';

/** A model that takes 3 s to echo its input. */
class SlowEchoLoader extends ModelLoader {
  readonly format = 'slow-echo';
  detect(context: LoadContext): boolean {
    return context.modelName === 'slow';
  }
  load(): Promise<ModelExecutor> {
    const spec = { name: 'x:0', dtype: 'float32' as const, shape: [-1] };
    return Promise.resolve(
      new (class extends ModelExecutor {
        readonly backend = 'js';
        readonly signatures = {
          serving_default: {
            methodName: 'tensorflow/serving/predict',
            inputs: { x: spec },
            outputs: { y: spec },
          },
        };
        async run(_key: string, inputs: Readonly<Record<string, TensorData>>) {
          await new Promise((r) => setTimeout(r, 3000));
          return { y: inputs['x']! };
        }
        dispose(): void {}
      })(),
    );
  }
}

describe('graceful shutdown', () => {
  it('turns readiness to 503, finishes in-flight requests, then refuses new connections', async () => {
    const base = await tempDir('drain');
    await mkdir(join(base.path, '1'));
    const serving = await startServingApp({
      pollIntervalMs: 0,
      drainDelayMs: 2000,
      loaders: [new SlowEchoLoader()],
      models: [{ name: 'slow', basePath: base.path }],
    });
    const predict = () => post(`${serving.url}/v1/models/slow:predict`, '{"instances": [7]}');
    try {
      expect((await get(`${serving.url}/v2/health/ready`)).status).toBe(200);
      const inFlight = predict();
      await new Promise((r) => setTimeout(r, 50));
      const closedAt = Date.now();
      const closing = serving.app.close();
      await new Promise((r) => setTimeout(r, 100));
      // Draining: not ready, still serving.
      expect((await get(`${serving.url}/v2/health/ready`)).status).toBe(503);
      const at = (ms: number) => new Promise((r) => setTimeout(r, closedAt + ms - Date.now()));
      await at(1000);
      const late = predict(); // accepted: still within drainDelayMs; it runs until about 4 s
      await at(2800);
      // Past drainDelayMs, while requests still run: the listener is closed, so a new request
      // fails to connect (it gets no 503), and the running ones are still answered.
      const refused = await predict().then(
        () => undefined,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code,
      );
      expect(refused).toBe('ECONNREFUSED');
      expect((await inFlight).json).toEqual({ predictions: [7] });
      expect((await late).json).toEqual({ predictions: [7] });
      expect(Date.now() - closedAt).toBeLessThan(10_000);
      await closing;
    } finally {
      await base.cleanup();
    }
  });

  it.each(['express', 'fastify'] as const)(
    'does not wait past shutdownTimeoutMs for a request that runs longer: it answers 503 at once (%s)',
    async (platform) => {
      const base = await tempDir('drain-timeout');
      await mkdir(join(base.path, '1'));
      const loader = new SlowModelLoader({ models: ['stuck'], runMs: 60_000 });
      const serving = await startServingApp(
        {
          pollIntervalMs: 0,
          shutdownTimeoutMs: 1500,
          loaders: [loader],
          models: [{ name: 'stuck', basePath: base.path }],
        },
        platform,
      );
      try {
        const inFlight = post(`${serving.url}/v1/models/stuck:predict`, '{"instances": [7]}').then(
          (response) => ({ response }),
          (error: unknown) => ({ error: error as Error & { cause?: unknown } }),
        );
        await waitFor(() => Promise.resolve(loader.started === 1 ? true : undefined));
        const closedAt = Date.now();
        await serving.app.close();
        const took = Date.now() - closedAt;
        expect(took).toBeGreaterThanOrEqual(1400);
        expect(took).toBeLessThan(10_000);
        // The request was still running (its model takes a minute); the client gets the
        // server's own answer, not a cut connection.
        expect(loader.finished).toBe(0);
        const outcome = await inFlight;
        expect(outcome).toEqual({
          response: expect.objectContaining({
            status: 503,
            json: {
              error: 'The server shut down before the model answered (shutdownTimeoutMs passed)',
            },
          }),
        });
      } finally {
        loader.settle();
        await base.cleanup();
      }
    },
  );
});
