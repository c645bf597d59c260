// What `npm run bench` records: one row per scenario, printed as a table and written with the
// machine and the ratios to bench/results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus, release, totalmem, type } from 'node:os';
import { dirname } from 'node:path';
import { type Measured } from './measure.js';

export interface ScenarioResult {
  readonly name: string;
  /** Examples per second (for probes: probes per second); null when skipped. */
  readonly throughput: number | null;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
  readonly unit: string;
  /** Examples per request (or per raw call). */
  readonly batch?: number;
  /** Concurrent connections or loops. */
  readonly clients?: number;
  /** Failed requests (non-2xx, timeouts, socket errors). */
  readonly errors?: number;
  /** CPU milliseconds per call: the bench process's (in-process rows) or the server's. */
  readonly cpu_ms_per_call?: number;
  /** CPU milliseconds per call of the load generator (h2load rows). */
  readonly client_cpu_ms_per_call?: number;
  readonly note?: string;
  /** Why the scenario did not run. */
  readonly skipped?: string;
}

export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly memGiB: number;
  readonly node: string;
  readonly os: string;
}

export function machine(): Machine {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()} ${arch()}`,
  };
}

/** The rows of one run, by name. */
export class Results {
  readonly rows: ScenarioResult[] = [];

  add(
    name: string,
    measured: Measured,
    details: Omit<ScenarioResult, 'name' | 'throughput' | 'p50_ms' | 'p99_ms'>,
  ): Measured {
    this.rows.push({
      name,
      throughput: round(measured.perSecond),
      p50_ms: round(measured.p50Ms, 2),
      p99_ms: round(measured.p99Ms, 2),
      ...(measured.cpuMsPerCall === undefined
        ? {}
        : { cpu_ms_per_call: round(measured.cpuMsPerCall, 3) ?? undefined }),
      ...details,
      ...(measured.errors > 0 ? { errors: measured.errors } : {}),
    });
    return measured;
  }

  skip(name: string, reason: string): void {
    console.log(`  skipped ${name}: ${reason}`);
    this.rows.push({
      name,
      throughput: null,
      p50_ms: null,
      p99_ms: null,
      unit: '',
      skipped: reason,
    });
  }

  get(name: string): ScenarioResult | undefined {
    return this.rows.find((r) => r.name === name && r.skipped === undefined);
  }
}

function round(value: number, digits = 1): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `a / b` of two rows' throughput, or null with the reason printed when either is missing. */
export function ratio(
  results: Results,
  label: string,
  a: string,
  b: string,
  field: 'throughput' | 'p99_ms' = 'throughput',
): number | null {
  const x = results.get(a)?.[field];
  const y = results.get(b)?.[field];
  if (x == null || y == null || y === 0) {
    console.log(`  ${label}: null (${x == null ? a : b} did not run)`);
    return null;
  }
  return Math.round((x / y) * 1000) / 1000;
}

const fmt = (v: number | null, w: number) => (v == null ? '-' : String(v)).padStart(w);

export function printTable(results: Results): void {
  const width = Math.max(...results.rows.map((r) => r.name.length), 8);
  console.log(
    `\n${'scenario'.padEnd(width)} ${'throughput'.padStart(11)} ${'unit'.padEnd(10)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  note`,
  );
  for (const r of results.rows) {
    const note = r.skipped
      ? `skipped: ${r.skipped}`
      : [r.errors ? `${r.errors} errors` : '', r.note ?? ''].filter(Boolean).join('; ');
    console.log(
      `${r.name.padEnd(width)} ${fmt(r.throughput, 11)} ${r.unit.padEnd(10)} ${fmt(r.p50_ms, 9)} ${fmt(r.p99_ms, 9)}  ${note}`,
    );
  }
}

export async function writeLatest(file: string, report: object): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
