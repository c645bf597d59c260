import { createServer } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Test } from '@nestjs/testing';
import { HealthPortServer, ModelServingModule } from 'nest-model-serving';
import { freePort } from './helpers/free-port.js';
import { get, post } from './helpers/http.js';
import { runModelServer, waitForOutput } from './helpers/model-server-process.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp } from './helpers/serving-app.js';

const MODELS = [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }];

interface Probe {
  /** When it was answered (`Date.now()`). */
  readonly at: number;
  readonly ms: number;
  readonly status: number;
  readonly body: any;
}

/**
 * Probes `url` every 25 ms for `forMs` from a thread of its own, so it keeps probing while this
 * thread is blocked; resolves with every probe once done. `started` resolves on its first probe.
 */
function probeFromWorker(
  url: string,
  forMs: number,
): { started: Promise<void>; done: Promise<Probe[]> } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const probes = [];
      const start = Date.now();
      while (Date.now() - start < workerData.forMs) {
        const t0 = performance.now();
        const response = await fetch(workerData.url);
        const body = await response.json();
        probes.push({ at: Date.now(), ms: performance.now() - t0, status: response.status, body });
        if (probes.length === 1) parentPort.postMessage('started');
        await new Promise((r) => setTimeout(r, 25));
      }
      parentPort.postMessage(probes);
    })();
    `,
    { eval: true, workerData: { url, forMs } },
  );
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<Probe[]>((resolve, reject) => {
    worker.on('message', (message: 'started' | Probe[]) => {
      if (message === 'started') started();
      else resolve(message);
    });
    worker.once('error', reject);
  });
  return { started: startedPromise, done: done.finally(() => worker.terminate()) };
}

/** Blocks this thread (and its event loop) for `ms`, as a long synchronous parse would. */
function blockMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('the health port (probes answered by a worker thread)', () => {
  it("answers the main port's probe bodies, and 404 elsewhere", async () => {
    const { app, url } = await startServingApp({
      pollIntervalMs: 0,
      models: MODELS,
      health: { enabled: true, port: 0, host: '127.0.0.1' },
    });
    try {
      const port = app.get(HealthPortServer).port;
      expect(port).toEqual(expect.any(Number));
      const health = `http://127.0.0.1:${port}`;
      // Posted every 100 ms: both ports agree once a post happened after the model loaded.
      await new Promise((r) => setTimeout(r, 150));
      const [mine, main] = [await get(`${health}/readyz`), await get(`${url}/readyz`)];
      expect(mine.status).toBe(200);
      expect(mine.contentType).toMatch(/^application\/json/);
      expect(mine.json).toEqual(main.json);
      expect(mine.json.details['model:half_plus_two']).toEqual({
        status: 'up',
        versions: [{ version: 1, state: 'AVAILABLE' }],
      });
      const live = await get(`${health}/healthz`);
      expect(live.status).toBe(200);
      expect(live.json).toEqual({
        status: 'ok',
        info: { eventLoop: { status: 'up', lagMs: expect.any(Number), maxLagMs: 5000 } },
        error: {},
        details: { eventLoop: { status: 'up', lagMs: expect.any(Number), maxLagMs: 5000 } },
      });
      expect((await get(`${health}/v1/models/half_plus_two`)).status).toBe(404);
      const wrongVerb = await fetch(`${health}/healthz`, { method: 'POST' });
      expect(wrongVerb.status).toBe(405);
      await wrongVerb.arrayBuffer();
    } finally {
      await app.close();
    }
  });

  it('answers at once while the main thread is blocked, and 503 once it is stuck past maxEventLoopLagMs', async () => {
    const { app } = await startServingApp({
      pollIntervalMs: 0,
      models: MODELS,
      maxEventLoopLagMs: 600,
      health: { enabled: true, port: 0, host: '127.0.0.1' },
    });
    try {
      const health = `http://127.0.0.1:${app.get(HealthPortServer).port}`;
      await new Promise((r) => setTimeout(r, 150));
      const probes = probeFromWorker(`${health}/readyz`, 2500);
      await probes.started;
      const blockedAt = Date.now();
      blockMainThread(1500);
      const blockedFor = [blockedAt, Date.now()] as const;
      const seen = await probes.done;

      const during = seen.filter((p) => p.at > blockedFor[0] && p.at < blockedFor[1]);
      expect(during.length).toBeGreaterThan(20);
      // Not one probe waited for the blocked thread.
      expect(Math.max(...during.map((p) => p.ms))).toBeLessThan(200);
      const stuck = seen.filter((p) => p.status === 503);
      expect(stuck.length).toBeGreaterThan(5);
      for (const p of stuck) {
        expect(p.body.status).toBe('error');
        expect(p.body.error.eventLoop).toEqual({
          status: 'down',
          message: expect.stringMatching(/^event loop lag \d+ ms over 600 ms$/),
          lagMs: expect.any(Number),
          maxLagMs: 600,
        });
      }
      // Ready before the block and again after it.
      expect(seen[0]!.status).toBe(200);
      expect(seen.at(-1)!.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('says shutting_down during the drain and closes with the app', async () => {
    const { app, url } = await startServingApp({
      pollIntervalMs: 0,
      drainDelayMs: 800,
      models: MODELS,
      health: { enabled: true, port: 0, host: '127.0.0.1' },
    });
    const health = `http://127.0.0.1:${app.get(HealthPortServer).port}`;
    await new Promise((r) => setTimeout(r, 150));
    expect((await get(`${health}/readyz`)).status).toBe(200);
    const closing = app.close();
    try {
      await new Promise((r) => setTimeout(r, 300));
      const ready = await get(`${health}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.json.status).toBe('shutting_down');
      expect(ready.json.error).toEqual({
        serving: { status: 'down', message: expect.stringMatching(/^shutting down/) },
      });
      expect((await get(`${health}/healthz`)).status).toBe(200);
      // The main port still serves during the drain.
      const predicted = await post(`${url}/v1/models/half_plus_two:predict`, '{"instances": [2]}');
      expect(predicted.json).toEqual({ predictions: [3] });
    } finally {
      await closing;
    }
    await expect(fetch(`${health}/healthz`)).rejects.toThrow();
  });

  it('refuses to boot when its port is taken, naming the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const moduleRef = await Test.createTestingModule({
      imports: [
        ModelServingModule.forRoot({
          pollIntervalMs: 0,
          models: MODELS,
          health: { enabled: true, port, host: '127.0.0.1' },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await expect(app.listen(0, '127.0.0.1')).rejects.toThrow(
        new RegExp(`^health\\.port ${port}: cannot listen: .*EADDRINUSE`),
      );
    } finally {
      await app.close();
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('is served by model-server --health_port, on the REST host', async () => {
    const [rest, healthPort] = [await freePort(), await freePort()];
    const run = runModelServer([
      '--port=0',
      `--rest_api_port=${rest}`,
      '--rest_api_host=127.0.0.1',
      `--health_port=${healthPort}`,
      '--model_name=half_plus_two',
      `--model_base_path=${MODELS[0]!.basePath}`,
    ]);
    await waitForOutput(run, /REST listening on/);
    expect(run.output()).toContain(`Health probes also on port ${healthPort} (a worker thread)`);
    await new Promise((r) => setTimeout(r, 150));
    const ready = await get(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json.details['model:half_plus_two'].status).toBe('up');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });
});
