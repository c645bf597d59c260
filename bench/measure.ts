// Timing helpers of `npm run bench`: bounded loops on loopback, latency percentiles, ports.
import { createServer as createTcpServer } from 'node:net';

/** How long each measured run lasts, by mode (`--quick` or not). */
export interface Durations {
  /** Seconds of a measured load run. */
  readonly seconds: number;
  /** Seconds of the unmeasured warm-up before it. */
  readonly warmupSeconds: number;
  /** Seconds per batch size of an in-process (raw engine) loop. */
  readonly rawSeconds: number;
}

export const QUICK: Durations = { seconds: 5, warmupSeconds: 2, rawSeconds: 1 };
export const FULL: Durations = { seconds: 10, warmupSeconds: 2, rawSeconds: 3 };

/** One measured run: how much got done and how long it took. */
export interface Measured {
  /** Completed operations per second (requests, calls or probes). */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly count: number;
  readonly errors: number;
  /**
   * CPU time per call, in milliseconds: of this process (every thread) for in-process loops, of
   * the server process for served rows.
   */
  readonly cpuMsPerCall?: number;
}

/** A loopback port the OS just handed out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });
}

/** The `p`-th percentile (0..100) of `values` by nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task` from `concurrency` loops for `seconds` (after `warmup` unmeasured calls) and
 * answers calls per second with latency percentiles; a rejected call counts as an error.
 */
export async function loop(
  task: () => Promise<unknown>,
  seconds: number,
  concurrency = 1,
  warmup = 20,
): Promise<Measured> {
  for (let i = 0; i < warmup; i++) await task();
  const latencies: number[] = [];
  let errors = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await task();
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const calls = latencies.length + errors;
  return {
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    count: latencies.length,
    errors,
    ...(calls > 0 ? { cpuMsPerCall: (used.user + used.system) / 1000 / calls } : {}),
  };
}

/**
 * A light prober: one request at a time every `intervalMs` until `stop` resolves, as a
 * load balancer's health check would; answers the latency percentiles it saw.
 */
export async function probe(
  url: string,
  stop: Promise<unknown>,
  intervalMs = 20,
): Promise<Measured> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  while (!stopped) {
    const t0 = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      if (response.ok) latencies.push(performance.now() - t0);
      else errors++;
    } catch {
      errors++;
    }
    await sleep(intervalMs);
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    count: latencies.length,
    errors,
  };
}
