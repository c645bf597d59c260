import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type ModelExecutor, ModelLoader, type LoadContext } from 'nest-model-serving';
import { get, post } from './helpers/http.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingAppOptions, startServingApp } from './helpers/serving-app.js';
import { SlowModelLoader } from './helpers/slow-model-loader.js';

type Platform = 'express' | 'fastify';

/** A fault fake on the library's own extension point: every load of `broken` fails. */
class BrokenModelLoader extends ModelLoader {
  readonly format = 'broken';
  detect(context: LoadContext): boolean {
    return context.modelName === 'broken';
  }
  load(): Promise<ModelExecutor> {
    return Promise.reject(new Error('the weights are corrupt'));
  }
}

/** The served app: the module mounts the probes (`health` is on by default). */
async function startHealthApp(
  options: ServingAppOptions,
  platform: Platform,
): Promise<{ app: INestApplication; url: string }> {
  const { app, url } = await startServingApp(options, platform);
  return { app, url };
}

async function slowModelDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const base = await tempDir('health-slow');
  await mkdir(join(base.path, '1'));
  return base;
}

const SAMPLES = [
  { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
  { name: 'iris', basePath: join(SAMPLE_MODELS, 'iris') },
];

describe.each(['express', 'fastify'] as const)('health probes (%s)', (platform) => {
  it('is ready with one entry per model, live with the event-loop lag', async () => {
    const { app, url } = await startHealthApp({ pollIntervalMs: 0, models: SAMPLES }, platform);
    try {
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.contentType).toMatch(/application\/json/);
      expect(ready.json).toEqual({
        status: 'ok',
        info: expect.any(Object),
        error: {},
        details: {
          serving: { status: 'up' },
          'model:half_plus_two': {
            status: 'up',
            versions: [{ version: 1, state: 'AVAILABLE' }],
          },
          'model:iris': {
            status: 'up',
            versions: [{ version: 2, state: 'AVAILABLE' }],
          },
        },
      });
      expect(ready.json.info).toEqual(ready.json.details);

      const liveResponse = await fetch(`${url}/healthz`);
      expect(liveResponse.status).toBe(200);
      expect(liveResponse.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
      const live = (await liveResponse.json()) as any;
      expect(live).toEqual({
        status: 'ok',
        info: { eventLoop: { status: 'up', lagMs: expect.any(Number), maxLagMs: 5000 } },
        error: {},
        details: { eventLoop: { status: 'up', lagMs: expect.any(Number), maxLagMs: 5000 } },
      });
      expect(live.details.eventLoop.lagMs).toBeGreaterThanOrEqual(0);
      expect(live.details.eventLoop.lagMs).toBeLessThan(5000);
    } finally {
      await app.close();
    }
  });

  it('is not ready while a model loads, and ready once it loaded', async () => {
    const base = await slowModelDir();
    const loader = new SlowModelLoader({ models: ['slow'], loadMs: 2500 });
    const { app, url } = await startHealthApp(
      {
        pollIntervalMs: 0,
        loadTimeoutMs: 300,
        loaders: [loader],
        models: [{ name: 'slow', basePath: base.path }],
      },
      platform,
    );
    try {
      const loading = await get(`${url}/readyz`);
      expect(loading.status).toBe(503);
      expect(loading.json.status).toBe('error');
      expect(loading.json.error).toEqual({
        'model:slow': {
          status: 'down',
          message: 'version 1 is LOADING',
          versions: [{ version: 1, state: 'LOADING' }],
        },
      });
      expect(loading.json.info).toEqual({ serving: { status: 'up' } });
      // Loading is no reason to restart the process.
      expect((await get(`${url}/healthz`)).status).toBe(200);

      const loaded = await waitFor(async () => {
        const ready = await get(`${url}/readyz`);
        return ready.status === 200 ? ready : undefined;
      }, 15_000);
      expect(loaded.json.details['model:slow']).toEqual({
        status: 'up',
        versions: [{ version: 1, state: 'AVAILABLE' }],
      });
    } finally {
      loader.settle();
      await app.close();
      await base.cleanup();
    }
  });

  it('is not ready when the only version of a model failed, naming it', async () => {
    const base = await tempDir('health-broken');
    await mkdir(join(base.path, '1'));
    const { app, url } = await startHealthApp(
      {
        pollIntervalMs: 0,
        maxLoadRetries: 0,
        loaders: [new BrokenModelLoader()],
        models: [SAMPLES[0]!, { name: 'broken', basePath: base.path }],
      },
      platform,
    );
    try {
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(Object.keys(ready.json.error)).toEqual(['model:broken']);
      const broken = ready.json.error['model:broken'];
      expect(broken.status).toBe('down');
      expect(broken.message).toMatch(/^version 1 failed to load: .*the weights are corrupt/);
      expect(broken.versions).toEqual([
        {
          version: 1,
          state: 'END',
          error: { code: expect.any(Number), message: expect.any(String) },
        },
      ]);
      expect(ready.json.info['model:half_plus_two'].status).toBe('up');
      expect((await get(`${url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
      await base.cleanup();
    }
  });

  it('turns readiness 503 as soon as the drain begins, while liveness stays 200', async () => {
    const { app, url } = await startHealthApp(
      { pollIntervalMs: 0, drainDelayMs: 1500, models: [SAMPLES[0]!] },
      platform,
    );
    expect((await get(`${url}/readyz`)).status).toBe(200);
    const closedAt = Date.now();
    const closing = app.close();
    try {
      await new Promise((r) => setTimeout(r, 100));
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.json.status).toBe('shutting_down');
      expect(ready.json.error).toEqual({
        serving: { status: 'down', message: expect.stringMatching(/^shutting down/) },
      });
      // The models still answer during the drain; the probe says so too.
      expect(ready.json.details['model:half_plus_two'].status).toBe('up');
      const predicted = await post(`${url}/v1/models/half_plus_two:predict`, '{"instances": [2]}');
      expect(predicted.json).toEqual({ predictions: [3] });

      const live = await get(`${url}/healthz`);
      expect(live.status).toBe(200);
      expect(live.json.status).toBe('ok');
      expect(live.json.details.eventLoop).toEqual({
        status: 'up',
        lagMs: expect.any(Number),
        maxLagMs: 5000,
      });
      expect(Date.now() - closedAt).toBeLessThan(1400);
    } finally {
      await closing;
    }
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(1400);
  });

  it('answers the probes at once while inference runs', async () => {
    const base = await slowModelDir();
    const loader = new SlowModelLoader({ models: ['slow'], runMs: 60_000 });
    const { app, url } = await startHealthApp(
      { pollIntervalMs: 0, loaders: [loader], models: [{ name: 'slow', basePath: base.path }] },
      platform,
    );
    try {
      const running = [1, 2, 3].map(() =>
        post(`${url}/v1/models/slow:predict`, '{"instances": [1]}').catch(() => undefined),
      );
      await waitFor(() => Promise.resolve(loader.started === 3 ? true : undefined));
      const startedAt = Date.now();
      const [live, ready] = await Promise.all([get(`${url}/healthz`), get(`${url}/readyz`)]);
      expect(Date.now() - startedAt).toBeLessThan(1000);
      expect(live.status).toBe(200);
      expect(ready.status).toBe(200);
      loader.settle();
      await Promise.all(running);
    } finally {
      loader.settle();
      await app.close();
      await base.cleanup();
    }
  });
});
