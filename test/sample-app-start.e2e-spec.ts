import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  call,
  type makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { request } from './helpers/http.js';
import { freePort } from './helpers/free-port.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { itIfPresent, ROOT } from './helpers/paths.js';

interface AppRun {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** The key the started app is given in `API_KEYS`. */
const API_KEY = 'sample-app-start-test-key';

/** `npm start` without its build step: the built sample app, with `env` added. */
function startApp(env: Record<string, string>): AppRun {
  const child = spawn(process.execPath, [join(ROOT, 'sample-app', 'dist', 'main.js')], {
    cwd: ROOT,
    // Prediction logs go to the OS temp dir unless a test names its own, never into the tree.
    env: {
      ...process.env,
      NO_COLOR: '1',
      API_KEYS: API_KEY,
      PREDICTION_LOG_DIR: join(tmpdir(), 'sample-app-start-prediction-logs'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

async function stop(run: AppRun): Promise<void> {
  if (run.child.exitCode === null) run.child.kill('SIGTERM');
  await run.exit;
}

const HALF_PLUS_TWO = '{"instances": [1.0, 2.0, 5.0]}';

/** Predicts on half_plus_two once REST answers; fails with the app's output otherwise. */
async function predictWhenUp(run: AppRun, restPort: number): Promise<string> {
  const url = `http://127.0.0.1:${restPort}/v1/models/half_plus_two:predict`;
  return waitFor(
    async () => {
      if (run.child.exitCode !== null) throw new Error(`the app exited:\n${run.output()}`);
      const res = await request('POST', url, HALF_PLUS_TWO, { 'x-api-key': API_KEY }).catch(
        () => undefined,
      );
      return res?.status === 200 ? res.text : undefined;
    },
    30_000,
    200,
  );
}

describe('npm start (the built sample app)', () => {
  beforeAll(() => {
    const build = spawnSync('npm', ['run', 'build:app'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0)
      throw new Error(`npm run build:app failed:\n${build.stdout}${build.stderr}`);
  }, 120_000);

  itIfPresent(REFERENCE_PROTOS)(
    'serves REST on Fastify and gRPC on GRPC_PORT with HTTP_PLATFORM=fastify',
    async () => {
      const [restPort, grpcPort] = [await freePort(), await freePort()];
      const logs = await tempDir('sample-app-prediction-logs');
      const run = startApp({
        HTTP_PLATFORM: 'fastify',
        REST_API_PORT: String(restPort),
        GRPC_PORT: String(grpcPort),
        HOST: '127.0.0.1',
        PREDICTION_LOG_DIR: logs.path,
      });
      let client: ReturnType<typeof makeClient> | undefined;
      try {
        expect(await predictWhenUp(run, restPort)).toBe(
          '{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}',
        );
        expect(run.output()).toContain(`gRPC listening on 127.0.0.1:${grpcPort}`);
        expect(run.output()).toContain(`REST listening on http://127.0.0.1:${restPort}`);
        expect(run.output()).toContain('[NestFactory]');
        expect(run.output()).not.toContain('looks like you are running TensorFlow.js');
        client = predictionClient(`127.0.0.1:${grpcPort}`);
        const res = await call(
          client,
          'Predict',
          {
            model_spec: { name: 'half_plus_two' },
            inputs: {
              x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 3 }] }, float_val: [1, 2, 5] },
            },
          },
          10_000,
          { 'x-api-key': API_KEY },
        );
        expect(res.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
        // The production edges are on: probes, metrics, request logs and batching.
        const base = `http://127.0.0.1:${restPort}`;
        expect((await request('GET', `${base}/readyz`)).json.status).toBe('ok');
        const metrics = await request('GET', `${base}/monitoring/prometheus/metrics`);
        expect(metrics.text).toContain(
          ':tensorflow:serving:request_count{model_name="half_plus_two",status="OK"} 2',
        );
        expect(run.output()).toMatch(/"model":"half_plus_two".*"protocol":"grpc".*"status":"OK"/);
        expect(run.output()).toMatch(
          /model 'half_plus_two' version 1 batching picked from its cost curve/,
        );
        // One call in ten is logged: 150 calls leave none with probability 0.9^150 < 1e-6.
        for (let i = 0; i < 150; i++) {
          await request('POST', `${base}/v1/models/half_plus_two:predict`, HALF_PLUS_TWO, {
            'x-api-key': API_KEY,
          });
        }
        expect(run.output()).toContain(
          `Prediction logs of half_plus_two (1 call in 10): ${logs.path}`,
        );
        await stop(run);
        const [file, ...others] = await readdir(logs.path);
        expect(others).toEqual([]);
        expect(file).toMatch(/^half_plus_two\.\d{8}T\d{6}Z\.\d+\.0\.tfrecord$/);
        expect((await stat(join(logs.path, file!))).size).toBeGreaterThan(0);
      } finally {
        client?.close();
        await stop(run);
        await logs.cleanup();
      }
    },
    60_000,
  );

  it('opens no gRPC port with GRPC_PORT=0 and logs only warnings with LOG_LEVEL=warn', async () => {
    const restPort = await freePort();
    const run = startApp({
      REST_API_PORT: String(restPort),
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    try {
      await predictWhenUp(run, restPort);
      expect(run.output()).not.toContain('gRPC listening');
      expect(run.output()).not.toMatch(/\bLOG\b/);
    } finally {
      await stop(run);
    }
  }, 60_000);

  it('refuses an unknown LOG_LEVEL', async () => {
    const run = startApp({ LOG_LEVEL: 'info', REST_API_PORT: '0', GRPC_PORT: '0' });
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('LOG_LEVEL takes error, warn, log, debug, verbose, got "info"');
  });
});
