// `npm run bench [-- --quick]`: every scenario in one invocation on the machine it runs on, so
// the ratios compare numbers taken minutes apart under the same conditions. Loopback only,
// bounded durations, every server a child process stopped at the end (also on error, Ctrl-C).
// Prints a table and writes bench/results/latest.json.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUTO_NAME,
  batchingScenarios,
  EXPRESS_NAME,
  GRID,
  tunedName,
} from './batching-scenarios.js';
import { type Context } from './context.js';
import { FULL, QUICK } from './measure.js';
import { poolName, poolScenarios } from './pool-scenarios.js';
import { rawName, rawScenarios, SERVED_BATCH } from './raw-scenarios.js';
import {
  savedModelGrpcName,
  savedModelRawName,
  savedModelScenarios,
  savedModelServedName,
} from './saved-model-scenarios.js';
import { machine, printTable, ratio, Results, writeLatest } from './report.js';
import { stopAll } from './servers.js';
import { grpcFloorName, grpcName, grpcScenarios, LARGE_BATCH } from './grpc-scenarios.js';
import { h2loadVersion } from './h2load.js';
import {
  healthPortName,
  PROBE_DECODE_NAME,
  PROBE_LOAD_NAME,
  servedName,
  sharedServerScenarios,
  UNBATCHED_NAME,
} from './shared-server-scenarios.js';
import { workerCounts, workersName, workerScenarios } from './worker-scenarios.js';
import { wrkVersion } from './wrk.js';

const ROOT = join(import.meta.dirname, '..');
const MODELS = join(ROOT, 'bench', 'models');
const LATEST = join(ROOT, 'bench', 'results', 'latest.json');
const CLI = join(ROOT, 'libs', 'model-serving', 'dist', 'cli', 'main.js');

function preflight(): { generator: string; h2load: string | undefined } {
  const generator = wrkVersion();
  if (generator === undefined) {
    console.error('npm run bench drives the servers with wrk: install wrk (apt-get install wrk)');
    process.exit(1);
  }
  if (!existsSync(CLI)) {
    console.error(`${CLI} is missing: run npm run build:lib (npm run bench does)`);
    process.exit(1);
  }
  // The bench models, built once (seeded; a few seconds) and kept in bench/models.
  const built = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts', 'build-models.ts'), '--if-missing', '--bench'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (built.status !== 0) {
    console.error('building the bench models failed (npm run models -- --bench)');
    process.exit(1);
  }
  // The gRPC rows need h2load; without it they are skipped with the reason.
  const h2load = h2loadVersion();
  if (h2load === undefined) console.log('h2load is missing: the gRPC rows (i) are skipped');
  return { generator, h2load };
}

/** The best throughput among rows, or undefined when none ran. */
function best(results: Results, names: readonly string[]): string | undefined {
  return names
    .filter((n) => results.get(n)?.throughput != null)
    .sort((a, b) => results.get(b)!.throughput! - results.get(a)!.throughput!)[0];
}

function ratios(results: Results, quick: boolean) {
  const p99s = (names: readonly string[]) =>
    names.map((n) => results.get(n)?.p99_ms).filter((v): v is number => v != null);
  const worstOf = (names: readonly string[]) => {
    const values = p99s(names);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const worst = p99s([PROBE_LOAD_NAME, PROBE_DECODE_NAME]);
  const tuned = best(results, GRID.slice(0, quick ? 2 : GRID.length).map(tunedName));
  const [one, all] = [workersName(1), workersName(workerCounts().at(-1)!)];
  const [poolOne, poolAll] = [1, workerCounts().at(-1)!];
  console.log('ratios:');
  const r = {
    served_vs_raw: ratio(
      results,
      'served_vs_raw',
      servedName('mlp_tfjs'),
      rawName('mlp_tfjs', SERVED_BATCH),
    ),
    batched_vs_unbatched: ratio(results, 'batched_vs_unbatched', AUTO_NAME, UNBATCHED_NAME),
    vs_express_baseline: ratio(results, 'vs_express_baseline', UNBATCHED_NAME, EXPRESS_NAME),
    health_p99_ms: worst.length > 0 ? Math.max(...worst) : null,
    health_port_p99_ms: worstOf([PROBE_LOAD_NAME, PROBE_DECODE_NAME].map(healthPortName)),
    worker_scaling: one === all ? null : ratio(results, 'worker_scaling', all, one),
    pool_vs_raw: ratio(
      results,
      'pool_vs_raw',
      poolName('mlp_tfjs', 1),
      rawName('mlp_tfjs', SERVED_BATCH),
    ),
    pool_worker_scaling:
      poolOne === poolAll
        ? null
        : {
            tfjs_cnn: ratio(
              results,
              'pool tfjs cnn',
              poolName('cnn_tfjs', poolAll),
              poolName('cnn_tfjs', poolOne),
            ),
            onnx_cnn: ratio(
              results,
              'pool onnx cnn',
              poolName('cnn_onnx', poolAll),
              poolName('cnn_onnx', poolOne),
            ),
          },
    auto_vs_tuned: tuned ? ratio(results, 'auto_vs_tuned', AUTO_NAME, tuned) : null,
    grpc_served_vs_raw: ratio(
      results,
      'grpc_served_vs_raw',
      grpcName('mlp_tfjs'),
      rawName('mlp_tfjs', SERVED_BATCH),
    ),
    // The hand-written grpc-js Predict that runs no model, over ONNX Runtime served: how much of
    // the transport's ceiling the served ONNX MLP reaches.
    grpc_floor_vs_onnx_mlp: ratio(
      results,
      'grpc floor vs onnx mlp',
      grpcFloorName(),
      grpcName('mlp_onnx'),
    ),
    onnx_vs_tfjs: {
      raw_mlp: ratio(
        results,
        'onnx raw mlp',
        rawName('mlp_onnx', SERVED_BATCH),
        rawName('mlp_tfjs', SERVED_BATCH),
      ),
      served_mlp: ratio(results, 'onnx served mlp', servedName('mlp_onnx'), servedName('mlp_tfjs')),
      raw_cnn: ratio(
        results,
        'onnx raw cnn',
        rawName('cnn_onnx', SERVED_BATCH),
        rawName('cnn_tfjs', SERVED_BATCH),
      ),
      served_cnn: ratio(results, 'onnx served cnn', servedName('cnn_onnx'), servedName('cnn_tfjs')),
      grpc_mlp: ratio(results, 'onnx grpc mlp', grpcName('mlp_onnx'), grpcName('mlp_tfjs')),
      grpc_mlp_b128: ratio(
        results,
        'onnx grpc mlp b128',
        grpcName('mlp_onnx', LARGE_BATCH),
        grpcName('mlp_tfjs', LARGE_BATCH),
      ),
      grpc_cnn: ratio(results, 'onnx grpc cnn', grpcName('cnn_onnx'), grpcName('cnn_tfjs')),
    },
    // The same SavedModel translated to ONNX on ONNX Runtime vs on tfjs-wasm.
    saved_model_onnx_vs_tfjs: Object.fromEntries(
      (['mlp', 'cnn'] as const).flatMap((m) => [
        [
          `raw_${m}`,
          ratio(
            results,
            `savedmodel raw ${m}`,
            savedModelRawName(m, 'onnx'),
            savedModelRawName(m, 'tfjs'),
          ),
        ],
        [
          `served_${m}`,
          ratio(
            results,
            `savedmodel served ${m}`,
            savedModelServedName(m, 'onnx'),
            savedModelServedName(m, 'tfjs'),
          ),
        ],
        [
          `grpc_${m}`,
          ratio(
            results,
            `savedmodel grpc ${m}`,
            savedModelGrpcName(m, 'onnx'),
            savedModelGrpcName(m, 'tfjs'),
          ),
        ],
      ]),
    ),
  };
  if (worst.length === 0) console.log('  health_p99_ms: null (no probe scenario ran)');
  if (one === all) console.log('  worker_scaling: null (one core: nothing to scale to)');
  if (!tuned) console.log('  auto_vs_tuned: null (no hand-tuned run succeeded)');
  for (const [k, v] of Object.entries(r)) console.log(`  ${k}: ${JSON.stringify(v)}`);
  return r;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { generator, h2load } = preflight();
  const scratch = await mkdtemp(join(tmpdir(), 'nest-model-serving-bench-'));
  const ctx: Context = {
    quick,
    durations: quick ? QUICK : FULL,
    models: MODELS,
    scratch,
    results: new Results(),
    h2load,
  };
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const onSignal = () => {
    console.error('interrupted: stopping the servers');
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(
      `${quick ? 'quick' : 'full'} run, ${ctx.durations.seconds} s per load run, generators ${generator}, ${h2load ?? 'no h2load'}`,
    );
    await rawScenarios(ctx);
    await poolScenarios(ctx);
    await savedModelScenarios(ctx);
    await sharedServerScenarios(ctx);
    await grpcScenarios(ctx);
    await batchingScenarios(ctx);
    await workerScenarios(ctx);
  } finally {
    await stopAll();
    await rm(scratch, { recursive: true, force: true });
  }
  printTable(ctx.results);
  const report = {
    machine: machine(),
    generator,
    grpc_generator: h2load ?? null,
    mode: quick ? 'quick' : 'full',
    // Other processes on the machine skew every row; the 1-minute load average before the run.
    loadavg_at_start: Math.round(loadAtStart * 100) / 100,
    seconds_per_run: ctx.durations.seconds,
    elapsed_s: Math.round((Date.now() - started) / 1000),
    scenarios: ctx.results.rows,
    ratios: ratios(ctx.results, quick),
  };
  await writeLatest(LATEST, report);
  console.log(`wrote ${LATEST} (${report.elapsed_s} s)`);
}

await main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exitCode = 1;
});
