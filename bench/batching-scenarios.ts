// c and g: 64 single-example clients on the MLP with `--enable_batching` alone (the server's
// automatic parameters) and with a small grid of hand-written `--batching_parameters_file`s;
// d: the hand-written Express baseline under the same load.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { basePath, type Context, reason, restLoad } from './context.js';
import { type Measured } from './measure.js';
import { SINGLE_CLIENTS } from './shared-server-scenarios.js';
import {
  type RunningServer,
  startExpressBaseline,
  startModelServer,
  unservedFlags,
} from './servers.js';

export const AUTO_NAME = `c/g rest mlp_tfjs b1 c${SINGLE_CLIENTS} batching auto`;
export const EXPRESS_NAME = `d express baseline mlp_tfjs b1 c${SINGLE_CLIENTS}`;
export const tunedName = (p: BatchingParameters): string =>
  `g rest mlp_tfjs b1 c${SINGLE_CLIENTS} batching max${p.maxBatchSize}/${p.timeoutMicros}us`;

export interface BatchingParameters {
  readonly maxBatchSize: number;
  readonly timeoutMicros: number;
}

/** The hand-tuning grid; --quick keeps the first two. */
export const GRID: readonly BatchingParameters[] = [
  { maxBatchSize: 32, timeoutMicros: 1000 },
  { maxBatchSize: 64, timeoutMicros: 2000 },
  { maxBatchSize: 16, timeoutMicros: 500 },
  { maxBatchSize: 64, timeoutMicros: 5000 },
];

/** TF Serving's BatchingParameters in text format (`--batching_parameters_file`). */
function batchingFile(p: BatchingParameters): string {
  return [
    `max_batch_size { value: ${p.maxBatchSize} }`,
    `batch_timeout_micros { value: ${p.timeoutMicros} }`,
    'max_enqueued_batches { value: 1000 }',
    'num_batch_threads { value: 1 }',
    '',
  ].join('\n');
}

/** Says so when the server accepted a flag (`--enable_batching`) it does not serve yet. */
function unservedNote(server: RunningServer): string | undefined {
  const flags = unservedFlags(server);
  return flags.length > 0
    ? `server accepts ${flags.join(', ')} but does not serve it yet`
    : undefined;
}

/** One server's run under the 64 single-example clients, or why it could not be measured. */
async function runMlp(
  ctx: Context,
  start: () => Promise<RunningServer>,
): Promise<{ m: Measured; note?: string } | { error: string }> {
  let server: RunningServer | undefined;
  try {
    server = await start();
    const m = await restLoad(ctx, {
      url: server.url,
      served: 'mlp_tfjs',
      model: 'mlp_tfjs',
      rows: 1,
      connections: SINGLE_CLIENTS,
    });
    const note = unservedNote(server);
    return note ? { m, note } : { m };
  } catch (error) {
    return { error: reason(error) };
  } finally {
    await server?.stop();
  }
}

/** Records the best of `runs` (by throughput) under `name`, with `note` said. */
function addBest(
  ctx: Context,
  name: string,
  runs: readonly Awaited<ReturnType<typeof runMlp>>[],
  note?: string,
): void {
  const measured = runs.flatMap((r) => ('m' in r ? [r] : []));
  const best = measured.sort((a, b) => b.m.perSecond - a.m.perSecond)[0];
  if (!best) {
    const failed = runs.find((r) => 'error' in r);
    ctx.results.skip(name, failed && 'error' in failed ? failed.error : 'not measured');
    return;
  }
  const notes = [best.note, note].filter((n): n is string => n !== undefined);
  ctx.results.add(name, best.m, {
    unit: 'samples/s',
    batch: 1,
    clients: SINGLE_CLIENTS,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  });
}

async function measureMlp(
  ctx: Context,
  name: string,
  start: () => Promise<RunningServer>,
): Promise<void> {
  addBest(ctx, name, [await runMlp(ctx, start)]);
}

export async function batchingScenarios(ctx: Context): Promise<void> {
  console.log('c, g: batching auto and hand-tuned; d: the Express baseline');
  const models = { mlp_tfjs: basePath(ctx, 'mlp_tfjs') };
  const auto = () =>
    runMlp(ctx, () =>
      startModelServer({ models, scratch: ctx.scratch, flags: ['--enable_batching'] }),
    );
  // Run before and after the grid, its better run kept, as the grid keeps its best set: the
  // first run of the block follows the heavier scenarios and can start on a busy machine.
  const autoRuns = [await auto()];
  for (const p of GRID.slice(0, ctx.quick ? 2 : GRID.length)) {
    const file = join(ctx.scratch, `batching-${p.maxBatchSize}-${p.timeoutMicros}.txt`);
    await writeFile(file, batchingFile(p));
    await measureMlp(ctx, tunedName(p), () =>
      startModelServer({
        models,
        scratch: ctx.scratch,
        flags: ['--enable_batching', `--batching_parameters_file=${file}`],
      }),
    );
  }
  autoRuns.push(await auto());
  addBest(ctx, AUTO_NAME, autoRuns, 'better of 2 runs, before and after the grid');
  await measureMlp(ctx, EXPRESS_NAME, () =>
    startExpressBaseline('mlp_tfjs', join(basePath(ctx, 'mlp_tfjs'), '1')),
  );
}
