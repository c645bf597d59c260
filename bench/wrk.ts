// The load generator of `npm run bench`: wrk (C, event-driven, cheap on 2 cores), POSTing a
// JSON body through bench/post.lua; its `done` hook prints the counts and percentiles we read.
import { execFile, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Measured } from './measure.js';

const LUA = join(import.meta.dirname, 'post.lua');

/** wrk's version line, or undefined when it is not on PATH. */
export function wrkVersion(): string | undefined {
  const result = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (result.error) return undefined;
  // `wrk --version` prints its version line then the usage, and exits 1.
  const line = `${result.stdout}${result.stderr}`.split('\n')[0] ?? '';
  return line.replace(/ Copyright.*/, '').trim() || 'wrk';
}

export interface WrkRun {
  readonly url: string;
  /** File holding the request body. */
  readonly bodyFile: string;
  readonly connections: number;
  readonly seconds: number;
  /** wrk threads; at most one per connection. @defaultValue 2 */
  readonly threads?: number;
}

interface WrkJson {
  requests: number;
  duration_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p99_us: number;
}

/** Runs wrk once; answers successful (2xx) requests per second and latency percentiles. */
export function runWrk(run: WrkRun): Promise<Measured> {
  const threads = Math.max(1, Math.min(run.threads ?? 2, run.connections));
  const args = [
    `-t${threads}`,
    `-c${run.connections}`,
    `-d${run.seconds}s`,
    '--timeout',
    '30s',
    '-s',
    LUA,
    run.url,
    '--',
    run.bodyFile,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (run.seconds + 60) * 1000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (error || line === undefined) {
        reject(new Error(`wrk failed: ${error?.message ?? 'no summary'} ${stderr.trim()}`));
        return;
      }
      const json = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson;
      const errors = json.status + json.timeout + json.connect + json.read + json.write;
      const ok = Math.max(0, json.requests - json.status - json.timeout);
      resolve({
        perSecond: ok / (json.duration_us / 1e6),
        p50Ms: json.p50_us / 1000,
        p99Ms: json.p99_us / 1000,
        count: ok,
        errors,
      });
    });
  });
}

/** Writes `{"instances": rows}` into `file`, values rounded to 6 digits as clients send them. */
export async function writeInstances(
  file: string,
  data: Float32Array,
  rows: number,
  shape: readonly number[],
): Promise<string> {
  const body = JSON.stringify({ instances: nest(data, rows, shape) });
  await writeFile(file, body);
  return body;
}

/** `data` as `rows` nested arrays of `shape`. */
export function nest(data: Float32Array, rows: number, shape: readonly number[]): unknown[] {
  const size = shape.reduce((n, d) => n * d, 1);
  const build = (offset: number, dims: readonly number[]): unknown => {
    if (dims.length === 0) return Number(data[offset]!.toFixed(6));
    const [first, ...rest] = dims;
    const stride = rest.reduce((n, d) => n * d, 1);
    return Array.from({ length: first! }, (_, i) => build(offset + i * stride, rest));
  };
  return Array.from({ length: rows }, (_, r) => build((r * size) % data.length, shape));
}
