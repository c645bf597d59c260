// Scenario i: gRPC `Predict` at saturation, driven by h2load (bench/h2load.ts), so that the
// client costs a fraction of what the server does: the four bench models on one model-server,
// and the floor (bench/grpc-ceiling.ts: a hand-written grpc-js Predict that runs no model).
// Each row notes the CPU time per call of the server process (all its threads) and of h2load:
// on 2 cores they share, it tells where the cores went.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_INPUT,
  BENCH_MODELS,
  benchInput,
  type BenchModelName,
} from '../scripts/sample-models/bench-models.js';
import { basePath, type Context, reason } from './context.js';
import { grpcPredictor } from './grpc-client.js';
import { type H2loadResult, runH2load, writePredictRequest } from './h2load.js';
import { type Measured } from './measure.js';
import { SERVED_BATCH } from './raw-scenarios.js';
import { METRICS_PATH, type RunningServer, startGrpcCeiling, startModelServer } from './servers.js';

/** HTTP/2 connections × calls in flight on each. */
export const GRPC_CONNECTIONS = 4;
export const GRPC_STREAMS = 4;
const LOAD = `b${SERVED_BATCH} h2load c${GRPC_CONNECTIONS}x${GRPC_STREAMS}`;

export const grpcName = (served: string): string => `i grpc ${served} ${LOAD}`;
export const GRPC_CEILING_NAME = `i grpc floor: grpc-js Predict, no model ${LOAD}`;

const MODELS: BenchModelName[] = ['mlp_tfjs', 'mlp_onnx', 'cnn_tfjs', 'cnn_onnx'];

export interface GrpcTarget {
  readonly server: RunningServer;
  /** The served name. */
  readonly served: string;
  /** The bench model whose inputs are sent. */
  readonly model: BenchModelName;
  /** The input alias. @defaultValue BENCH_INPUT */
  readonly input?: string;
  /** The calls the server has answered so far, by gRPC status. */
  readonly counts: () => Promise<ReadonlyMap<string, number>>;
}

/** model-server's `:tensorflow:serving:request_count` of `model`, by status. */
export async function requestCounts(
  server: RunningServer,
  model: string,
): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}${METRICS_PATH}`)).text();
  const counts = new Map<string, number>();
  const pattern = /^:tensorflow:serving:request_count\{([^}]*)\} (\d+)/gm;
  for (const [, labels, value] of text.matchAll(pattern)) {
    if (!labels!.includes(`model_name="${model}"`)) continue;
    const status = /status="([^"]*)"/.exec(labels!)?.[1] ?? '';
    counts.set(status, (counts.get(status) ?? 0) + Number(value));
  }
  return counts;
}

/** CPU milliseconds (user + system, every thread) a process has used, from /proc. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/**
 * Checks one call answers the batch's outputs, then runs h2load (warm-up, measured period);
 * answers examples per second. Calls the server counted as failed are errors.
 */
export async function grpcLoad(
  ctx: Context,
  target: GrpcTarget,
): Promise<
  Measured & {
    note: string;
  }
> {
  const { server, served, model } = target;
  const input = target.input ?? BENCH_INPUT;
  const shape = BENCH_MODELS[model].inputShape;
  const data = benchInput(model, SERVED_BATCH);
  const client = grpcPredictor(server.grpcPort, served, input, data, SERVED_BATCH, shape);
  try {
    const answer = (await client.predict()) as { outputs?: Record<string, unknown> };
    if (Object.keys(answer.outputs ?? {}).length === 0) {
      throw new Error(`${served} answered no outputs: ${JSON.stringify(answer).slice(0, 200)}`);
    }
  } finally {
    client.close();
  }
  const file = await writePredictRequest(
    join(ctx.scratch, `${served}-${SERVED_BATCH}.grpc`),
    served,
    input,
    data,
    SERVED_BATCH,
    shape,
  );
  const before = await target.counts();
  const cpuBefore = await processCpuMs(server.pid);
  const run: H2loadResult = await runH2load({
    port: server.grpcPort,
    bodyFile: file,
    connections: GRPC_CONNECTIONS,
    streams: GRPC_STREAMS,
    seconds: ctx.durations.seconds,
    warmupSeconds: ctx.durations.warmupSeconds,
    logFile: join(ctx.scratch, `${served}.h2load.log`),
  });
  const cpuAfter = await processCpuMs(server.pid);
  // Counted over warm-up and measured period alike, as the CPU times are.
  const after = await target.counts();
  const delta = (status: string) => (after.get(status) ?? 0) - (before.get(status) ?? 0);
  const calls = [...new Set([...after.keys(), ...before.keys()])].reduce(
    (n, status) => n + delta(status),
    0,
  );
  if (calls === 0) throw new Error(`${served}: the server counted no calls`);
  const failed = calls - delta('OK');
  const ok = Math.round((run.succeeded * delta('OK')) / calls);
  if (ok === 0) throw new Error(`${served}: no call succeeded`);
  const perCall = (ms: number) => (ms / Math.max(1, calls)).toFixed(3);
  const cpu =
    cpuBefore === undefined || cpuAfter === undefined
      ? ''
      : `server ${perCall(cpuAfter - cpuBefore)} ms CPU/call, `;
  return {
    perSecond: ((run.perSecond * ok) / Math.max(1, run.succeeded)) * SERVED_BATCH,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    count: ok,
    errors: run.errors + failed,
    note: `${cpu}h2load ${perCall(run.clientCpuMs)} ms CPU/call`,
  };
}

async function attempt(ctx: Context, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    ctx.results.skip(name, reason(error));
  }
}

/** Adds the row `name` from one gRPC load. */
export async function addGrpcRow(ctx: Context, name: string, target: GrpcTarget): Promise<void> {
  await attempt(ctx, name, async () => {
    const { note, ...measured } = await grpcLoad(ctx, target);
    ctx.results.add(name, measured, {
      unit: 'samples/s',
      batch: SERVED_BATCH,
      clients: GRPC_CONNECTIONS * GRPC_STREAMS,
      note,
    });
  });
}

export const NO_H2LOAD = 'h2load is not installed (apt-get install nghttp2-client)';

export async function grpcScenarios(ctx: Context): Promise<void> {
  console.log('i. gRPC Predict at saturation (h2load): the four bench models, then the floor');
  if (!ctx.h2load) {
    for (const name of [...MODELS.map(grpcName), GRPC_CEILING_NAME]) {
      ctx.results.skip(name, NO_H2LOAD);
    }
    return;
  }
  let server: RunningServer | undefined;
  try {
    server = await startModelServer({
      models: Object.fromEntries(MODELS.map((m) => [m, basePath(ctx, m)])),
      scratch: ctx.scratch,
      metrics: true,
    });
    for (const model of MODELS) {
      const counted = server;
      await addGrpcRow(ctx, grpcName(model), {
        server,
        served: model,
        model,
        counts: () => requestCounts(counted, model),
      });
    }
  } catch (error) {
    for (const name of MODELS.map(grpcName)) ctx.results.skip(name, reason(error));
  } finally {
    await server?.stop();
  }
  let floor: RunningServer | undefined;
  try {
    floor = await startGrpcCeiling('mlp_tfjs');
    const { url } = floor;
    await addGrpcRow(ctx, GRPC_CEILING_NAME, {
      server: floor,
      served: 'mlp_tfjs',
      model: 'mlp_tfjs',
      counts: async () => new Map([['OK', Number(await (await fetch(`${url}/calls`)).text())]]),
    });
  } catch (error) {
    ctx.results.skip(GRPC_CEILING_NAME, reason(error));
  } finally {
    await floor?.stop();
  }
}
