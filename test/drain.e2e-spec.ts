import { Agent, request as httpRequest } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type LoadContext, ModelExecutor, ModelLoader, type TensorData } from 'nest-model-serving';
import { freePort } from './helpers/free-port.js';
import { tempDir } from './helpers/model-dirs.js';
import { runModelServer, waitForOutput } from './helpers/model-server-process.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp } from './helpers/serving-app.js';

/** Requests from this index on are slow uploads: their bodies end after the listener closed. */
const SLOW_FROM = 180;

const SPEC = { name: 'x:0', dtype: 'float32' as const, shape: [-1] };

/** Echoes `x` after 400 ms + 8 ms × x[0], so that the answers to x = 0…199 come one by one. */
class StaggeredEchoLoader extends ModelLoader {
  readonly format = 'staggered-echo';
  private readonly timers = new Set<NodeJS.Timeout>();

  detect(context: LoadContext): boolean {
    return context.modelName === 'staggered';
  }

  load(): Promise<ModelExecutor> {
    const timers = this.timers;
    return Promise.resolve(
      new (class extends ModelExecutor {
        readonly backend = 'js';
        readonly signatures = {
          serving_default: {
            methodName: 'tensorflow/serving/predict',
            inputs: { x: SPEC },
            outputs: { y: SPEC },
          },
        };
        async run(_key: string, inputs: Readonly<Record<string, TensorData>>) {
          const x = inputs['x']!;
          const first = (x.data as Float32Array)[0] ?? 0;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(
              () => {
                timers.delete(timer);
                resolve();
              },
              400 + 8 * first,
            );
            timers.add(timer);
          });
          return { y: x };
        }
        dispose(): void {}
      })(),
    );
  }
}

/** Errors come from Node's realm, not Jest's: `instanceof Error` would not see them. */
function isError(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && !('status' in value);
}

interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
}

/**
 * POSTs `body` through `agent`; resolves with the answer or the connection error. With `hold`,
 * the first half of the body is sent at once and the rest once `hold` resolves (a slow upload).
 */
function send(
  agent: Agent,
  url: string,
  body: string,
  hold?: Promise<unknown>,
): Promise<Answer | Error> {
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            connection: res.headers.connection,
          }),
        );
        res.on('error', resolve);
      },
    );
    req.on('error', resolve);
    if (!hold) {
      req.end(body);
      return;
    }
    const bytes = Buffer.from(body);
    const half = Math.floor(bytes.length / 2);
    req.setHeader('content-length', bytes.length);
    req.write(bytes.subarray(0, half));
    void hold.then(() => req.end(bytes.subarray(half)));
  });
}

/** Resolves once a new TCP connection to `url` is refused (the listener closed). */
async function listenerClosed(url: string, timeoutMs = 20_000): Promise<void> {
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`${url} still accepts connections`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Counts what 200 concurrent predictions got; logs how the 150 in flight at the close fared. */
function tally(answers: (Answer | Error)[]) {
  const ok = answers.filter(
    (a, i) =>
      !isError(a) &&
      a.status === 200 &&
      JSON.stringify(JSON.parse(a.body)) === JSON.stringify({ predictions: [i] }),
  );
  const errors = answers.filter((a): a is Error => isError(a)).map((e) => e.message);
  const statuses = answers.filter((a): a is Answer => !isError(a)).map((a) => a.status);
  return { ok: ok.length, errors, statuses };
}

describe('drain: nothing received is dropped', () => {
  it.each(['express', 'fastify'] as const)(
    'answers all 200 requests in flight on 200 keep-alive connections, then refuses connections (%s)',
    async (platform) => {
      const base = await tempDir('drain-all');
      await mkdir(join(base.path, '1'));
      const serving = await startServingApp(
        {
          pollIntervalMs: 0,
          drainDelayMs: 200,
          loaders: [new StaggeredEchoLoader()],
          models: [{ name: 'staggered', basePath: base.path }],
        },
        platform,
      );
      const agent = new Agent({ keepAlive: true, maxSockets: 210 });
      const url = `${serving.url}/v1/models/staggered:predict`;
      try {
        // 210 open keep-alive connections; 200 of them carry the predictions, 10 stay idle.
        const warm = await Promise.all(
          Array.from({ length: 210 }, () => send(agent, url, '{"instances": [0]}')),
        );
        expect(warm.every((a) => !isError(a) && a.status === 200)).toBe(true);
        let answered = 0;
        let listenerGone = () => {};
        const gone = new Promise<void>((resolve) => (listenerGone = resolve));
        // The last 20 are slow uploads: received before the close, their bodies end after it.
        const answers = Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            send(agent, url, `{"instances": [${i}]}`, i >= SLOW_FROM ? gone : undefined).then(
              (a) => {
                answered++;
                return a;
              },
            ),
          ),
        );
        while (answered < 50) await new Promise((r) => setTimeout(r, 5));
        const inFlightAtClose = 200 - answered;
        const closing = serving.app.close();
        await listenerClosed(serving.url);
        listenerGone();
        const late = await send(new Agent(), url, '{"instances": [1]}');
        const result = tally(await answers);
        await closing;
        console.log(
          `${platform}: ${inFlightAtClose} in flight at the close; ${result.ok}/200 answered 200 with their value; statuses ${JSON.stringify([...new Set(result.statuses)])}; errors ${result.errors.length}`,
        );
        expect(result.errors).toEqual([]);
        expect(result.ok).toBe(200);
        // A request sent after the listener closed fails to connect; it gets no 503.
        expect((late as Error & { code?: string }).code).toBe('ECONNREFUSED');
      } finally {
        agent.destroy();
        await base.cleanup();
      }
    },
    60_000,
  );

  it('model-server: SIGTERM with 150 of 200 keep-alive requests in flight answers them all, exits 0', async () => {
    const run = runModelServer([
      `--rest_api_port=${await freePort()}`,
      `--model_base_path=${join(SAMPLE_MODELS, 'half_plus_two')}`,
      '--model_name=half_plus_two',
      '--port=0',
      '--rest_api_host=127.0.0.1',
      '--file_system_poll_wait_seconds=0',
    ]);
    const [, url] = await waitForOutput(run, /REST listening on (\S+)/, 60_000);
    const base = url!.replace('[::1]', '127.0.0.1');
    const predict = `${base}/v1/models/half_plus_two:predict`;
    // Bodies large enough that the 200 requests take the server a while.
    const count = 20_000;
    const body = (i: number) =>
      `{"instances": [${Array.from({ length: count }, (_, k) => (k === 0 ? i : 1)).join(',')}]}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 200 });
    try {
      let answered = 0;
      let listenerGone = () => {};
      const gone = new Promise<void>((resolve) => (listenerGone = resolve));
      const answers = Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          send(agent, predict, body(i), i >= SLOW_FROM ? gone : undefined).then((a) => {
            answered++;
            return a;
          }),
        ),
      );
      while (answered < 50) await new Promise((r) => setTimeout(r, 2));
      const inFlightAtSigterm = 200 - answered;
      run.child.kill('SIGTERM');
      await listenerClosed(base);
      listenerGone();
      const all = await answers;
      const ok = all.filter((a, i) => {
        if (isError(a) || a.status !== 200) return false;
        const { predictions } = JSON.parse(a.body) as { predictions: number[] };
        return (
          predictions.length === count && predictions[0] === i / 2 + 2 && predictions[1] === 2.5
        );
      }).length;
      const errors = all.filter((a): a is Error => isError(a)).map((e) => e.message);
      const statuses = all.flatMap((a) => (isError(a) ? [] : [a.status]));
      console.log(
        `model-server: ${inFlightAtSigterm} in flight at SIGTERM; ${ok}/200 answered 200 with their value; statuses ${JSON.stringify([...new Set(statuses)])}; errors ${errors.length}`,
      );
      expect(errors).toEqual([]);
      expect(ok).toBe(200);
      expect(await run.exit).toBe(0);
      const late = await send(new Agent(), predict, body(0));
      expect((late as Error & { code?: string }).code).toBe('ECONNREFUSED');
    } finally {
      agent.destroy();
    }
  }, 90_000);
});
