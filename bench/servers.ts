// The servers `npm run bench` drives, each a child process on loopback: the `model-server` CLI
// (TF Serving's flags) and the hand-written Express baseline. Every child is tracked so that
// `stopAll` ends them all, on success, on error and on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, sleep } from './measure.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'libs', 'model-serving', 'dist', 'cli', 'main.js');
const EXPRESS = join(import.meta.dirname, 'express-baseline.ts');
const GRPC_CEILING = join(import.meta.dirname, 'grpc-ceiling.ts');
const READY_TIMEOUT_MS = 90_000;

export interface RunningServer {
  readonly url: string;
  readonly grpcPort: number;
  /** The child's process id (its CPU time is read from /proc). */
  readonly pid: number;
  /** What the server logged (stdout and stderr), for warnings such as unserved flags. */
  readonly log: () => string;
  readonly stop: () => Promise<void>;
}

/** The flags a server warned it accepts without serving them yet (`--x is not served yet`). */
export function unservedFlags(server: RunningServer): string[] {
  return [...server.log().matchAll(/--([a-z_]+) is not served yet/g)].map((m) => `--${m[1]}`);
}

/** The reason a server could not start (its exit code and last log lines). */
export class ServerStartError extends Error {}

const children = new Set<ChildProcess>();

function stopChild(child: ChildProcess): Promise<void> {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every server still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stopChild));
}

// A synchronous last resort: `exit` handlers cannot wait, so SIGKILL whatever is left.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function launch(
  args: readonly string[],
  readyUrls: readonly string[],
  url: string,
  grpcPort: number,
): Promise<RunningServer> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // The CLI prints a flag error first, then the whole usage: the error line is the reason.
  const tail = () => {
    const lines = log.trim().split('\n');
    return (
      lines.find((l) => /^model-server: |error/i.test(l))?.trim() ?? lines.slice(-4).join(' | ')
    );
  };
  for (;;) {
    if (child.exitCode !== null) {
      children.delete(child);
      throw new ServerStartError(`exited with code ${child.exitCode}: ${tail()}`);
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new ServerStartError(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${tail()}`);
    }
    const ready = await Promise.all(
      readyUrls.map((u) =>
        fetch(u, { signal: AbortSignal.timeout(2000) })
          .then(async (r) => r.ok && (await r.text()).includes('AVAILABLE'))
          .catch(() => false),
      ),
    );
    if (ready.every(Boolean)) break;
    await sleep(200);
  }
  return { url, grpcPort, pid: child.pid!, log: () => log, stop: () => stopChild(child) };
}

export interface ModelServerOptions {
  /** Served name → base path (the directory holding version directories). */
  readonly models: Readonly<Record<string, string>>;
  /** More `model-server` flags, e.g. `--enable_batching`, `--workers=2`. */
  readonly flags?: readonly string[];
  /** Where a config file for several models may be written. */
  readonly scratch: string;
  /** Serves Prometheus metrics at {@link METRICS_PATH} (`--monitoring_config_file`). */
  readonly metrics?: boolean;
}

export const METRICS_PATH = '/monitoring/prometheus/metrics';

/** Starts `model-server` on free loopback ports and waits until every model is AVAILABLE. */
export async function startModelServer(options: ModelServerOptions): Promise<RunningServer> {
  const restPort = await freePort();
  const grpcPort = await freePort();
  const names = Object.keys(options.models);
  let modelArgs: string[];
  if (names.length === 1) {
    modelArgs = [`--model_name=${names[0]}`, `--model_base_path=${options.models[names[0]!]}`];
  } else {
    const file = join(options.scratch, `models-${restPort}.config`);
    const entries = names.map(
      (n) =>
        `  config { name: ${JSON.stringify(n)} base_path: ${JSON.stringify(options.models[n])} }`,
    );
    await writeFile(file, `model_config_list {\n${entries.join('\n')}\n}\n`);
    modelArgs = [`--model_config_file=${file}`];
  }
  if (options.metrics) {
    const file = join(options.scratch, `monitoring-${restPort}.config`);
    await writeFile(file, `prometheus_config { enable: true path: "${METRICS_PATH}" }\n`);
    modelArgs.push(`--monitoring_config_file=${file}`);
  }
  const url = `http://127.0.0.1:${restPort}`;
  return launch(
    [
      CLI,
      `--port=${grpcPort}`,
      '--grpc_host=127.0.0.1',
      `--rest_api_port=${restPort}`,
      '--rest_api_host=127.0.0.1',
      '--backend=wasm',
      '--file_system_poll_wait_seconds=0',
      '--log_level=warn',
      // Scenario e sends 50 MB bodies, past the 32 MiB default.
      '--rest_api_max_body_bytes=134217728',
      ...modelArgs,
      ...(options.flags ?? []),
    ],
    names.map((n) => `${url}/v1/models/${n}`),
    url,
    grpcPort,
  );
}

/** Starts the hand-written Express baseline (bench/express-baseline.ts) on one version dir. */
export async function startExpressBaseline(name: string, versionDir: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return launch(
    [
      '--import',
      'tsx',
      EXPRESS,
      `--port=${port}`,
      `--model_name=${name}`,
      `--model_dir=${versionDir}`,
    ],
    [`${url}/v1/models/${name}`],
    url,
    0,
  );
}

/** Starts the hand-written gRPC floor (bench/grpc-ceiling.ts): Predict without a model. */
export async function startGrpcCeiling(name: string): Promise<RunningServer> {
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${restPort}`;
  return launch(
    [
      '--import',
      'tsx',
      GRPC_CEILING,
      `--port=${grpcPort}`,
      `--rest_port=${restPort}`,
      `--model_name=${name}`,
    ],
    [`${url}/v1/models/${name}`],
    url,
    grpcPort,
  );
}
