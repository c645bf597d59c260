import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/** The `model-server` command, as `npm ci` links it. */
export const MODEL_SERVER_BIN = join(ROOT, 'libs', 'model-serving', 'bin', 'model-server.mjs');

export interface ModelServerRun {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

const running = new Set<ModelServerRun>();

/**
 * No `model-server` outlives the test that started it, whatever the test did: one still running
 * when its test ends is killed and awaited (a leaked child keeps Jest from exiting).
 */
afterEach(async () => {
  const left = [...running];
  running.clear();
  for (const run of left) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  }
  await Promise.all(left.map((run) => run.exit));
});

/** Starts `model-server` with `args`; collects stdout and stderr together. */
export function runModelServer(args: string[]): ModelServerRun {
  const child = spawn(process.execPath, [MODEL_SERVER_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const run = { child, output: () => text, exit };
  running.add(run);
  void exit.then(() => running.delete(run));
  return run;
}

/** Waits until the output contains `pattern`, or fails with the output so far. */
export async function waitForOutput(
  run: ModelServerRun,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = run.output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline || run.child.exitCode !== null) {
      throw new Error(
        `model-server did not print ${pattern} within ${timeoutMs} ms:\n${run.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
