import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { freePort } from './helpers/free-port.js';
import { request } from './helpers/http.js';
import { runModelServer, waitForOutput } from './helpers/model-server-process.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const MODEL = join(SAMPLE_MODELS, 'half_plus_two');

/** POSTs raw bytes with the given headers; the answer read whole. */
async function postBytes(url: string, body: Uint8Array, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body, headers });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

describe.each(['express', 'fastify'] as const)('request limits on %s', (platform) => {
  let serving: ServingApp;
  let predict: string;

  beforeAll(async () => {
    serving = await startServingApp(
      { models: [{ name: 'half_plus_two', basePath: MODEL }], pollIntervalMs: 0 },
      platform,
    );
    predict = `${serving.url}/v1/models/half_plus_two:predict`;
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('refuses a body over the 32 MiB default with 413 in the error shape', async () => {
    const body = Buffer.alloc(32 * 1024 * 1024 + 1, 0x20);
    const res = await postBytes(predict, body, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const)('accepts a %s body', async (encoding, compress) => {
    const res = await postBytes(predict, compress(Buffer.from('{"instances": [1, 2, 5]}')), {
      'content-type': 'application/json',
      'content-encoding': encoding,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ predictions: [2.5, 3, 4.5] });
  });

  it('answers a gzip bomb 413 without inflating it (512 MiB of spaces in 0.5 MiB)', async () => {
    const bomb = gzipSync(Buffer.alloc(512 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const res = await postBytes(predict, bomb, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(10_000);
    // Inflating the whole of it would take 512 MiB.
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(300);
  });

  it('answers a body that is not valid gzip, or another encoding, with a 4xx error', async () => {
    const bad = await postBytes(predict, Buffer.from('not gzip at all'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ error: expect.any(String) });
    const other = await postBytes(predict, Buffer.from('{}'), {
      'content-type': 'application/json',
      'content-encoding': 'compress',
    });
    expect(other.status).toBe(415);
    expect(JSON.parse(other.text)).toEqual({ error: expect.any(String) });
  });

  it('answers JSON deeper than maxJsonDepth (64) with 400; 64 levels still parse', async () => {
    const deep = await request(
      'POST',
      predict,
      `{"instances": ${'['.repeat(64)}1${']'.repeat(64)}}`,
    );
    expect(deep.status).toBe(400);
    expect(deep.json).toEqual({
      error: 'The JSON body nests deeper than 64 levels (maxJsonDepth)',
    });
    const ok = await request('POST', predict, `{"instances": ${'['.repeat(63)}1${']'.repeat(63)}}`);
    expect(ok.json.error).not.toContain('maxJsonDepth');
  });

  it('answers no CORS headers and no preflight when CORS support is off', async () => {
    const res = await fetch(`${serving.url}/v1/models/half_plus_two`, {
      headers: { origin: 'http://example.com' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe.each(['express', 'fastify'] as const)('maxJsonElements and CORS on %s', (platform) => {
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp(
      {
        models: [{ name: 'half_plus_two', basePath: MODEL }],
        pollIntervalMs: 0,
        maxJsonElements: 1000,
        restApiEnableCorsSupport: true,
      },
      platform,
    );
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('answers more than maxJsonElements elements with 400', async () => {
    const url = `${serving.url}/v1/models/half_plus_two:predict`;
    const many = await request(
      'POST',
      url,
      `{"instances": [${new Array(1001).fill(1).join(',')}]}`,
    );
    expect(many.status).toBe(400);
    expect(many.json).toEqual({
      error: 'The JSON body has more than 1000 elements (maxJsonElements)',
    });
    const ok = await request('POST', url, `{"instances": [${new Array(999).fill(1).join(',')}]}`);
    expect(ok.status).toBe(200);
  });

  it("adds TF Serving's CORS headers to answers, errors included, and answers preflights", async () => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST, GET',
      'access-control-allow-headers': 'Content-Type',
    };
    const headersOf = (res: Response) =>
      Object.fromEntries(Object.keys(cors).map((name) => [name, res.headers.get(name)]));
    const ok = await fetch(`${serving.url}/v1/models/half_plus_two`);
    expect(ok.status).toBe(200);
    expect(headersOf(ok)).toEqual(cors);
    const missing = await fetch(`${serving.url}/v1/models/nope`);
    expect(missing.status).toBe(404);
    expect(headersOf(missing)).toEqual(cors);
    const preflight = await fetch(`${serving.url}/v1/models/half_plus_two:predict`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(200);
    expect(await preflight.text()).toBe('');
    expect(headersOf(preflight)).toEqual(cors);
    const noOrigin = await fetch(`${serving.url}/v1/models/half_plus_two:predict`, {
      method: 'OPTIONS',
    });
    expect(noOrigin.status).toBe(400);
    expect(await noOrigin.json()).toEqual({
      error: 'Origin header is missing in CORS preflight',
    });
  });
});

describe('model-server request limit flags', () => {
  it('--rest_api_max_body_bytes answers larger bodies 413; --rest_api_enable_cors_support adds CORS headers', async () => {
    const run = runModelServer([
      `--model_base_path=${MODEL}`,
      '--model_name=half_plus_two',
      '--port=0',
      `--rest_api_port=${await freePort()}`,
      '--rest_api_host=127.0.0.1',
      '--file_system_poll_wait_seconds=0',
      '--rest_api_max_body_bytes=1000',
      '--rest_api_enable_cors_support',
    ]);
    const [, url] = await waitForOutput(run, /REST listening on (\S+)/, 60_000);
    const predict = `${url!.replace('[::1]', '127.0.0.1')}/v1/models/half_plus_two:predict`;
    const small = await request('POST', predict, '{"instances": [1]}');
    expect(small.json).toEqual({ predictions: [2.5] });
    const large = await request(
      'POST',
      predict,
      `{"instances": [1], "pad": "${'x'.repeat(1000)}"}`,
    );
    expect(large.status).toBe(413);
    expect(large.json).toEqual({ error: expect.any(String) });
    const res = await fetch(predict, { method: 'POST', body: '{"instances": [1]}' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 90_000);
});
