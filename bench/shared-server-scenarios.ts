// The scenarios served by one `model-server` holding the four bench models, batching off:
// b (REST at saturation vs raw), c (64 single-example clients, unbatched),
// h (ONNX vs tfjs-wasm served) and e (health-probe latency under load).
import {
  type BenchModelName,
  BENCH_MODELS,
  benchInput,
} from '../scripts/sample-models/bench-models.js';
import { attempt, basePath, bodyFile, type Context, reason, restLoad } from './context.js';
import { freePort, probe } from './measure.js';
import { SERVED_BATCH } from './raw-scenarios.js';
import { type RunningServer, startModelServer } from './servers.js';
import { nest, runWrk } from './wrk.js';

export const SATURATION_CLIENTS = 16;
export const SINGLE_CLIENTS = 64;
export const servedName = (model: BenchModelName): string =>
  `${model === 'mlp_tfjs' ? 'b' : 'h'} rest ${model} b${SERVED_BATCH} c${SATURATION_CLIENTS}`;
export const UNBATCHED_NAME = `c rest mlp_tfjs b1 c${SINGLE_CLIENTS} batching off`;
export const PROBE_LOAD_NAME = 'e health probe, inference saturated';
export const PROBE_DECODE_NAME = 'e health probe, 50 MB request decoding';
/** The same probes on `--health_port` (answered by a worker thread). */
export const healthPortName = (name: string): string => `${name} (health port)`;

const MODELS: BenchModelName[] = ['mlp_tfjs', 'mlp_onnx', 'cnn_tfjs', 'cnn_onnx'];

export async function sharedServerScenarios(ctx: Context): Promise<void> {
  console.log('b, c, e, h: one model-server with the four bench models, batching off');
  let server: RunningServer;
  const healthPort = await freePort();
  try {
    server = await startModelServer({
      models: Object.fromEntries(MODELS.map((m) => [m, basePath(ctx, m)])),
      scratch: ctx.scratch,
      flags: [`--health_port=${healthPort}`],
    });
  } catch (error) {
    for (const name of [
      ...MODELS.map(servedName),
      UNBATCHED_NAME,
      PROBE_LOAD_NAME,
      PROBE_DECODE_NAME,
    ]) {
      ctx.results.skip(name, `model-server did not start: ${reason(error)}`);
    }
    return;
  }
  try {
    for (const model of MODELS) {
      await attempt(ctx, servedName(model), async () =>
        ctx.results.add(
          servedName(model),
          await restLoad(ctx, {
            url: server.url,
            served: model,
            model,
            rows: SERVED_BATCH,
            connections: SATURATION_CLIENTS,
          }),
          { unit: 'samples/s', batch: SERVED_BATCH, clients: SATURATION_CLIENTS },
        ),
      );
    }
    await attempt(ctx, UNBATCHED_NAME, async () =>
      ctx.results.add(
        UNBATCHED_NAME,
        await restLoad(ctx, {
          url: server.url,
          served: 'mlp_tfjs',
          model: 'mlp_tfjs',
          rows: 1,
          connections: SINGLE_CLIENTS,
        }),
        { unit: 'samples/s', batch: 1, clients: SINGLE_CLIENTS },
      ),
    );
    await healthScenarios(ctx, server, healthPort);
  } finally {
    await server.stop();
  }
}

/** e: a light prober on the status endpoint while wrk saturates, then during 50 MB requests. */
async function healthScenarios(
  ctx: Context,
  server: RunningServer,
  healthPort: number,
): Promise<void> {
  const status = `${server.url}/v1/models/mlp_tfjs`;
  const ownPort = `http://127.0.0.1:${healthPort}/healthz`;
  // `/healthz` is probed too once the server has it.
  const healthz = await fetch(`${server.url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  const targets: [string, string][] = [[PROBE_LOAD_NAME, status]];
  if (healthz) targets.push([`${PROBE_LOAD_NAME} (/healthz)`, `${server.url}/healthz`]);
  targets.push([healthPortName(PROBE_LOAD_NAME), ownPort]);

  await attempt(ctx, PROBE_LOAD_NAME, async () => {
    const file = await bodyFile(ctx, 'mlp_tfjs', SERVED_BATCH);
    const load = runWrk({
      url: `${server.url}/v1/models/mlp_tfjs:predict`,
      bodyFile: file,
      connections: SATURATION_CLIENTS,
      seconds: ctx.durations.seconds,
    });
    const probes = await Promise.all(targets.map(([, url]) => probe(url, load)));
    const inference = await load;
    targets.forEach(([name, url], i) =>
      ctx.results.add(name, probes[i]!, {
        unit: 'probes/s',
        clients: 1,
        note: `GET ${new URL(url).pathname} under ${(inference.perSecond * SERVED_BATCH).toFixed(0)} samples/s`,
      }),
    );
  });

  await attempt(ctx, PROBE_DECODE_NAME, async () => {
    // Rows one value too long: the server decodes all 50 MB, then answers 400, so the probe sees
    // the decoding alone (not a 6000-row inference).
    const width = BENCH_MODELS.mlp_tfjs.inputShape[0] + 1;
    const row = nest(benchInput('mlp_tfjs', 1), 1, [width - 1])[0] as number[];
    const rowJson = JSON.stringify([...row, 0.5]);
    const rows = Math.ceil((50 * 1024 * 1024) / (rowJson.length + 1));
    const body = `{"instances":[${Array.from({ length: rows }, () => rowJson).join(',')}]}`;
    const sends = ctx.quick ? 2 : 5;
    const latencies: number[] = [];
    const statuses = new Set<number>();
    const big = (async () => {
      for (let i = 0; i < sends; i++) {
        const t0 = performance.now();
        const r = await fetch(`${server.url}/v1/models/mlp_tfjs:predict`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        await r.arrayBuffer();
        statuses.add(r.status);
        latencies.push(performance.now() - t0);
      }
    })();
    const [probed, ownProbed] = await Promise.all([
      probe(status, big, 10),
      probe(ownPort, big, 10),
    ]);
    await big;
    const note = `${sends} x ${(body.length / 2 ** 20).toFixed(0)} MiB, answered ${[...statuses].join('/')} in ${latencies.map((l) => l.toFixed(0)).join('/')} ms`;
    ctx.results.add(PROBE_DECODE_NAME, probed, { unit: 'probes/s', clients: 1, note });
    ctx.results.add(healthPortName(PROBE_DECODE_NAME), ownProbed, {
      unit: 'probes/s',
      clients: 1,
      note: `GET /healthz on --health_port, ${note}`,
    });
  });
}
