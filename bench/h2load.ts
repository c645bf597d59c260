// The gRPC load generator of `npm run bench`: h2load (nghttp2's HTTP/2 client, in C), sending
// one pre-encoded `PredictRequest` (raw float bytes in `tensor_content`) as a gRPC unary call
// over and over. A client in Node costs about as much CPU as the server it drives, so on 2
// cores it, not the server, would be measured. h2load sees only HTTP statuses, and a gRPC error
// is an HTTP 200 whose trailers say so: the served rows count the server's own
// `:tensorflow:serving:request_count` by status over the run, so a failed call is an error.
import { execFile, spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { type Measured, percentile } from './measure.js';

const PROTOS = join(import.meta.dirname, '..', 'libs', 'model-serving', 'src', 'protos');
export const PREDICT_PATH = '/tensorflow.serving.PredictionService/Predict';
const DT_FLOAT = 1;

/** h2load's version line, or undefined when it is not on PATH. */
export function h2loadVersion(): string | undefined {
  const result = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.split('\n')[0]?.trim() || 'h2load';
}

let root: protobuf.Root | undefined;

/** The library's own TF Serving protos (keepCase), loaded once. */
export function predictionProtos(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      target.startsWith('/') ? target : join(PROTOS, target);
    root.loadSync('tensorflow_serving/apis/predict.proto', { keepCase: true });
  }
  return root;
}

/** `message` behind gRPC's 5-byte prefix (uncompressed, big-endian length). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** Writes a framed `PredictRequest` of `rows` examples of `shape` into `file`. */
export async function writePredictRequest(
  file: string,
  model: string,
  input: string,
  data: Float32Array,
  rows: number,
  shape: readonly number[],
): Promise<string> {
  const size = shape.reduce((n, d) => n * d, 1);
  const values = new Float32Array(rows * size);
  for (let i = 0; i < values.length; i++) values[i] = data[i % data.length]!;
  const type = predictionProtos().lookupType('tensorflow.serving.PredictRequest');
  const message = type
    .encode(
      type.fromObject({
        model_spec: { name: model },
        inputs: {
          [input]: {
            dtype: DT_FLOAT,
            tensor_shape: { dim: [rows, ...shape].map((d) => ({ size: d })) },
            tensor_content: Buffer.from(values.buffer),
          },
        },
      }),
    )
    .finish();
  await writeFile(file, grpcFrame(message));
  return file;
}

export interface H2loadRun {
  readonly port: number;
  /** File holding the framed request. */
  readonly bodyFile: string;
  /** HTTP/2 connections, each with `streams` calls in flight. */
  readonly connections: number;
  readonly streams: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Where h2load writes its per-request log (deleted after). */
  readonly logFile: string;
}

export interface H2loadResult extends Measured {
  /** Calls h2load saw answered 2xx in the measured period. */
  readonly succeeded: number;
  /** CPU time h2load used, in milliseconds (user + system). */
  readonly clientCpuMs: number;
}

/** bash's `times`: the children's line, `XmY.YYYs XmZ.ZZZs`, in milliseconds. */
function childCpuMs(times: string): number {
  const line = times.trim().split('\n').at(-1) ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)];
  return parts.reduce((ms, m) => ms + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
}

/** Runs h2load once (its warm-up, then the measured period). */
export function runH2load(run: H2loadRun): Promise<H2loadResult> {
  const args = [
    '-D',
    String(run.seconds),
    `--warm-up-time=${run.warmupSeconds}`,
    '-c',
    String(run.connections),
    '-m',
    String(run.streams),
    '-t',
    '1',
    '-d',
    run.bodyFile,
    '-H',
    'content-type: application/grpc',
    '-H',
    'te: trailers',
    `--log-file=${run.logFile}`,
    `http://127.0.0.1:${run.port}${PREDICT_PATH}`,
  ];
  // `times` after h2load prints the CPU its children (h2load) used.
  const script = 'h2load "$@"; status=$?; echo H2LOAD_TIMES; times; exit $status';
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', script, 'h2load', ...args],
      { timeout: (run.seconds + run.warmupSeconds + 60) * 1000 },
      (error, stdout, stderr) => {
        void (async () => {
          const finished = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(stdout);
          const counts =
            /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
              stdout,
            );
          if (error || !finished || !counts) {
            throw new Error(
              `h2load failed: ${error?.message ?? 'no summary'} ${stderr.trim().slice(0, 300)}`,
            );
          }
          const log = await readFile(run.logFile, 'utf8').catch(() => '');
          await rm(run.logFile, { force: true });
          const latencies = log
            .split('\n')
            .filter(Boolean)
            .map((row) => Number(row.split('\t')[2]) / 1000);
          const [total, succeeded, failed, errored, timeout] = [1, 2, 3, 4, 5].map((i) =>
            Number(counts[i]),
          ) as [number, number, number, number, number];
          const rate = Number(finished[1]);
          resolve({
            perSecond: total > 0 ? (rate * succeeded) / total : 0,
            p50Ms: percentile(latencies, 50),
            p99Ms: percentile(latencies, 99),
            count: succeeded,
            errors: failed + errored + timeout,
            succeeded,
            clientCpuMs: childCpuMs(stdout.split('H2LOAD_TIMES')[1] ?? ''),
          });
        })().catch(reject);
      },
    );
  });
}
