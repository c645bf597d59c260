// f: the CNN served with `--workers=1` and with one worker per core, at saturation.
import { cpus } from 'node:os';
import { basePath, type Context, reason, restLoad } from './context.js';
import { SERVED_BATCH } from './raw-scenarios.js';
import { SATURATION_CLIENTS } from './shared-server-scenarios.js';
import { type RunningServer, startModelServer, unservedFlags } from './servers.js';

export const workersName = (n: number): string =>
  `f rest cnn_tfjs b${SERVED_BATCH} c${SATURATION_CLIENTS} workers=${n}`;

/** 1, then every core (2 on a 2-core machine). */
export const workerCounts = (): number[] => [...new Set([1, Math.max(1, cpus().length)])];

export async function workerScenarios(ctx: Context): Promise<void> {
  console.log('f: workers, 1 vs all cores, on the CNN');
  let rejected: string | undefined;
  for (const n of workerCounts()) {
    const name = workersName(n);
    if (rejected !== undefined) {
      ctx.results.skip(name, rejected);
      continue;
    }
    let server: RunningServer | undefined;
    try {
      server = await startModelServer({
        models: { cnn_tfjs: basePath(ctx, 'cnn_tfjs') },
        scratch: ctx.scratch,
        flags: [`--workers=${n}`],
      });
      const m = await restLoad(ctx, {
        url: server.url,
        served: 'cnn_tfjs',
        model: 'cnn_tfjs',
        rows: SERVED_BATCH,
        connections: SATURATION_CLIENTS,
      });
      const unserved = unservedFlags(server);
      ctx.results.add(name, m, {
        unit: 'samples/s',
        batch: SERVED_BATCH,
        clients: SATURATION_CLIENTS,
        ...(unserved.length > 0
          ? { note: `server does not serve ${unserved.join(', ')} yet` }
          : {}),
      });
    } catch (error) {
      const why = reason(error);
      // The flag is new: an older server refuses it, and then no count can run.
      if (/unknown flag --workers/.test(why))
        rejected = 'model-server rejects --workers (unknown flag)';
      ctx.results.skip(name, rejected ?? why);
    } finally {
      await server?.stop();
    }
  }
}
