// Scenario i: gRPC `Predict` at saturation, driven by h2load (bench/h2load.ts), so that the
// client costs a fraction of what the server does: the four bench models on one model-server,
// and the floor (bench/grpc-ceiling.ts: a hand-written grpc-js Predict that runs no model).
// Each row records the CPU time per call of the server process (all its threads) and of
// h2load: on 2 cores they share, it tells where the cores went. The MLP runs at batch 128 too.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_INPUT,
  BENCH_MODELS,
  benchInput,
  type BenchModelName,
} from '../scripts/sample-models/bench-models.js';
import { attempt, basePath, type Context, reason } from './context.js';
import { grpcPredictor } from './grpc-client.js';
import { type H2loadResult, runH2load, writePredictRequest } from './h2load.js';
import { type Measured } from './measure.js';
import { SERVED_BATCH } from './raw-scenarios.js';
import { METRICS_PATH, type RunningServer, startGrpcCeiling, startModelServer } from './servers.js';

/** HTTP/2 connections × calls in flight on each. */
export const GRPC_CONNECTIONS = 4;
export const GRPC_STREAMS = 4;
const load = (rows: number) => `b${rows} h2load c${GRPC_CONNECTIONS}x${GRPC_STREAMS}`;
/** The larger batch the MLP also runs at: per example, the fixed cost of a call weighs less. */
export const LARGE_BATCH = 128;

export const grpcName = (served: string, rows = SERVED_BATCH): string =>
  `i grpc ${served} ${load(rows)}`;
export const grpcFloorName = (rows = SERVED_BATCH): string =>
  `i grpc floor: grpc-js Predict, no model ${load(rows)}`;

const MODELS: BenchModelName[] = ['mlp_tfjs', 'mlp_onnx', 'cnn_tfjs', 'cnn_onnx'];

export interface GrpcTarget {
  readonly server: RunningServer;
  /** The served name. */
  readonly served: string;
  /** The bench model whose inputs are sent. */
  readonly model: BenchModelName;
  /** The input alias. @defaultValue BENCH_INPUT */
  readonly input?: string;
  /** Examples per call. @defaultValue SERVED_BATCH */
  readonly rows?: number;
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
): Promise<Measured & { clientCpuMsPerCall: number }> {
  const { server, served, model } = target;
  const rows = target.rows ?? SERVED_BATCH;
  const input = target.input ?? BENCH_INPUT;
  const shape = BENCH_MODELS[model].inputShape;
  const data = benchInput(model, rows);
  const client = grpcPredictor(server.grpcPort, served, input, data, rows, shape);
  try {
    const answer = (await client.predict()) as { outputs?: Record<string, unknown> };
    if (Object.keys(answer.outputs ?? {}).length === 0) {
      throw new Error(`${served} answered no outputs: ${JSON.stringify(answer).slice(0, 200)}`);
    }
  } finally {
    client.close();
  }
  const file = join(ctx.scratch, `${served}-${rows}.grpc`);
  await writePredictRequest(file, served, input, data, rows, shape);
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
  return {
    perSecond: ((run.perSecond * ok) / Math.max(1, run.succeeded)) * rows,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    count: ok,
    errors: run.errors + failed,
    ...(cpuBefore === undefined || cpuAfter === undefined
      ? {}
      : { cpuMsPerCall: (cpuAfter - cpuBefore) / calls }),
    clientCpuMsPerCall: run.clientCpuMs / calls,
  };
}

/** Adds the row `name` from one gRPC load. */
export async function addGrpcRow(ctx: Context, name: string, target: GrpcTarget): Promise<void> {
  await attempt(ctx, name, async () => {
    const { clientCpuMsPerCall, ...measured } = await grpcLoad(ctx, target);
    ctx.results.add(name, measured, {
      unit: 'samples/s',
      batch: target.rows ?? SERVED_BATCH,
      clients: GRPC_CONNECTIONS * GRPC_STREAMS,
      client_cpu_ms_per_call: Math.round(clientCpuMsPerCall * 1000) / 1000,
      note: 'cpu_ms_per_call: the server process',
    });
  });
}

export const NO_H2LOAD = 'h2load is not installed (apt-get install nghttp2-client)';

/** The rows of the model-server: the four bench models at the served batch, the MLP at 128. */
const PLAN: [BenchModelName, number][] = [
  ...MODELS.map((m): [BenchModelName, number] => [m, SERVED_BATCH]),
  ['mlp_tfjs', LARGE_BATCH],
  ['mlp_onnx', LARGE_BATCH],
];
const FLOOR_BATCHES = [SERVED_BATCH, LARGE_BATCH];

export async function grpcScenarios(ctx: Context): Promise<void> {
  console.log('i. gRPC Predict at saturation (h2load): the bench models, then the floor');
  const names = PLAN.map(([m, rows]) => grpcName(m, rows));
  if (!ctx.h2load) {
    for (const name of [...names, ...FLOOR_BATCHES.map(grpcFloorName)]) {
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
    const counted = server;
    for (const [model, rows] of PLAN) {
      await addGrpcRow(ctx, grpcName(model, rows), {
        server,
        served: model,
        model,
        rows,
        counts: () => requestCounts(counted, model),
      });
    }
  } catch (error) {
    for (const name of names) ctx.results.skip(name, reason(error));
  } finally {
    await server?.stop();
  }
  let floor: RunningServer | undefined;
  try {
    floor = await startGrpcCeiling('mlp_tfjs');
    const { url } = floor;
    for (const rows of FLOOR_BATCHES) {
      await addGrpcRow(ctx, grpcFloorName(rows), {
        server: floor,
        served: 'mlp_tfjs',
        model: 'mlp_tfjs',
        rows,
        counts: async () => new Map([['OK', Number(await (await fetch(`${url}/calls`)).text())]]),
      });
    }
  } catch (error) {
    for (const rows of FLOOR_BATCHES) ctx.results.skip(grpcFloorName(rows), reason(error));
  } finally {
    await floor?.stop();
  }
}
