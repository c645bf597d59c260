// What every scenario of `npm run bench` shares: durations, where models and scratch files
// live, the results, and REST load through wrk.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BENCH_MODELS,
  benchInput,
  type BenchModelName,
} from '../scripts/sample-models/bench-models.js';
import { type Durations, type Measured } from './measure.js';
import { type Results } from './report.js';
import { runWrk, writeInstances } from './wrk.js';

export interface Context {
  readonly quick: boolean;
  readonly durations: Durations;
  /** bench/models: one base path per bench model. */
  readonly models: string;
  /** A temporary directory for request bodies and config files. */
  readonly scratch: string;
  readonly results: Results;
  /** h2load's version, when it is installed (the gRPC rows need it). */
  readonly h2load: string | undefined;
}

/** The base path of a bench model (the directory of its version directories). */
export const basePath = (ctx: Context, name: BenchModelName): string => join(ctx.models, name);

const bodies = new Map<string, Promise<string>>();

/** The request body file of `rows` examples of `model` (written once per run). */
export function bodyFile(ctx: Context, model: BenchModelName, rows: number): Promise<string> {
  const file = join(ctx.scratch, `${model}-${rows}.json`);
  if (!bodies.has(file)) {
    const { inputShape } = BENCH_MODELS[model];
    bodies.set(
      file,
      writeInstances(file, benchInput(model, Math.min(rows, 64)), rows, inputShape).then(
        () => file,
      ),
    );
  }
  return bodies.get(file)!;
}

export interface RestLoad {
  /** Server root, e.g. http://127.0.0.1:8501. */
  readonly url: string;
  /** The served name, in the URL. */
  readonly served: string;
  /** The bench model whose inputs are sent. */
  readonly model: BenchModelName;
  readonly rows: number;
  readonly connections: number;
}

/**
 * Checks one request answers 200 with predictions, warms up, then measures with wrk; answers
 * examples per second (requests per second × rows).
 */
export async function restLoad(ctx: Context, load: RestLoad): Promise<Measured> {
  const file = await bodyFile(ctx, load.model, load.rows);
  const target = `${load.url}/v1/models/${load.served}:predict`;
  const check = await fetch(target, {
    method: 'POST',
    body: await readFile(file),
    headers: { 'content-type': 'application/json' },
  });
  const text = await check.text();
  if (!check.ok || !text.includes('predictions')) {
    throw new Error(`${target} answered ${check.status}: ${text.slice(0, 200)}`);
  }
  const run = { url: target, bodyFile: file, connections: load.connections };
  await runWrk({ ...run, seconds: ctx.durations.warmupSeconds });
  const measured = await runWrk({ ...run, seconds: ctx.durations.seconds });
  return { ...measured, perSecond: measured.perSecond * load.rows };
}

/** Runs one scenario; when it throws, its row is skipped with the reason. */
export async function attempt(
  ctx: Context,
  name: string,
  run: () => Promise<unknown>,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    ctx.results.skip(name, reason(error));
  }
}

/** The message of an error, on one line. */
export const reason = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
