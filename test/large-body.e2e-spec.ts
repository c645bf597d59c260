import { join } from 'node:path';
import { get, post } from './helpers/http.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

// Bodies of millions of floats: receiving and decoding them must neither stall other requests
// nor take memory in proportion to a JS value per number.

/** The values of {@link floats} repeat with this period. */
const PERIOD = 100000;
const periodTexts = Array.from({ length: PERIOD }, (_, i) => (i / 7).toFixed(5));
const periodText = periodTexts.join(',');

/**
 * `count` floats of about ten characters each, joined by commas: `(i % 100000) / 7` to five
 * places, built from one period of texts (formatting millions of floats anew per test took
 * seconds of the suite).
 */
function floats(count: number): string {
  const parts = new Array<string>(Math.floor(count / PERIOD)).fill(periodText);
  if (count % PERIOD > 0) parts.push(periodTexts.slice(0, count % PERIOD).join(','));
  return parts.join(',');
}

/** y = x/2 + 2 at element `i` of {@link floats}, as the float32 model computes it. */
function expected(i: number): number {
  const x = Math.fround(Number(((i % 100000) / 7).toFixed(5)));
  return Math.fround(Math.fround(0.5 * x) + 2);
}

/** GETs `url` every 10 ms until `done` settles; returns each answer's time in ms. */
async function probeWhile(url: string, done: Promise<unknown>): Promise<number[]> {
  let settled = false;
  void done.finally(() => (settled = true));
  const times: number[] = [];
  while (!settled) {
    const start = performance.now();
    const res = await get(url);
    times.push(performance.now() - start);
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return times;
}

/** Samples the RSS every 5 ms until `done` settles; returns the peak in bytes. */
async function peakRss(done: Promise<unknown>): Promise<number> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await done;
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss);
}

// A parse slice takes a few ms and a GC tens, but a loaded 2-core machine can pause a process
// for a second or more (runs beside a full suite saw 735 and 1735 ms). Parsing the 50 MB body in
// one block held every request for the whole parse (~16 s before packing), far above this bound.
const STALL_BOUND_MS = 3000;

/** Past the 32 MiB and 8 Mi-element defaults: 10 M floats make a ~105 MiB body. */
const PAST_DEFAULT_LIMITS = {
  maxRequestBodyBytes: 256 * 1024 * 1024,
  maxJsonElements: 16 * 1024 * 1024,
};

describe.each(['express', 'fastify'] as const)('large REST bodies on %s', (platform) => {
  let serving: ServingApp;
  let predictUrl: string;
  let statusUrl: string;

  beforeAll(async () => {
    serving = await startServingApp(
      {
        models: [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }],
        pollIntervalMs: 0,
        ...PAST_DEFAULT_LIMITS,
      },
      platform,
    );
    predictUrl = `${serving.url}/v1/models/half_plus_two:predict`;
    statusUrl = `${serving.url}/v1/models/half_plus_two`;
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('keeps status and small predicts prompt while a 50 MB body is received and parsed', async () => {
    // The whole body is parsed as TF Serving does; the extra member is then ignored, so the
    // answer is small and only receiving and decoding are timed.
    const body = `{"instances": [1.0, 2.0, 5.0], "padding": [${floats(5_000_000)}]}`;
    expect(body.length).toBeGreaterThan(50e6);
    // Encoded up front, so that the client's own encoding does not count as a stall.
    const big = fetch(predictUrl, { method: 'POST', body: Buffer.from(body) }).then(async (r) =>
      r.json(),
    );
    const status = probeWhile(statusUrl, big);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const start = performance.now();
    const small = await post(predictUrl, '{"instances": [1.0]}');
    const smallMs = performance.now() - start;
    const [res, times] = await Promise.all([big, status]);
    const slowest = Math.max(...times);
    console.log(
      `${platform}: ${times.length} status probes during a ${(body.length / 1e6).toFixed(0)} MB predict, slowest ${slowest.toFixed(0)} ms; a small predict ${smallMs.toFixed(0)} ms`,
    );
    expect(res).toEqual({ predictions: [2.5, 3, 4.5] });
    expect(small.json).toEqual({ predictions: [2.5] });
    expect(times.length).toBeGreaterThan(3);
    expect(slowest).toBeLessThan(STALL_BOUND_MS);
    expect(smallMs).toBeLessThan(STALL_BOUND_MS);
  });

  it('answers malformed large bodies with the same errors', async () => {
    const numbers = floats(1_000_000);
    const bad = `{"instances": [${numbers}, x]}`;
    const res = await post(predictUrl, bad, 'application/json');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: `JSON Parse error: Invalid value. at offset: ${bad.length - 3}`,
    });
    const unclosed = await post(predictUrl, `{"instances": [${numbers}`, 'application/json');
    expect(unclosed.json).toEqual({
      error: `JSON Parse error: Missing a comma or ']' after an array element. at offset: ${numbers.length + 15}`,
    });
    const mixed = await post(predictUrl, `{"instances": [${numbers}, "a"]}`, 'application/json');
    expect(mixed.json).toEqual({
      error:
        'Failed to process element: 1000000 of \'instances\' list. Error: INVALID_ARGUMENT: JSON Value: "a" Type: String is not of expected type: float',
    });
  });
});

// Adapter-independent work, done once: memory of a huge body, and a real predict of many
// instances end to end (decoding, batching into one tensor, the response).
describe('large REST bodies on express, end to end', () => {
  let serving: ServingApp;
  let predictUrl: string;

  beforeAll(async () => {
    serving = await startServingApp({
      models: [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }],
      pollIntervalMs: 0,
      ...PAST_DEFAULT_LIMITS,
    });
    predictUrl = `${serving.url}/v1/models/half_plus_two:predict`;
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('parses 10 M floats in bounded memory', async () => {
    const body = `{"instances": [1.0], "padding": [${floats(10_000_000)}]}`;
    const before = process.memoryUsage().rss;
    const res = post(predictUrl, body, 'application/json');
    const peak = await peakRss(res);
    expect((await res).json).toEqual({ predictions: [2.5] });
    const grown = (peak - before) / 2 ** 20;
    console.log(
      `express: RSS grew ${grown.toFixed(0)} MiB over a ${(body.length / 2 ** 20).toFixed(0)} MiB body of 10 M floats`,
    );
    // The client's copy of the body, the server's bytes and text (3 × ~105 MiB), 9 bytes per
    // packed number (~86 MiB) and young garbage: ~600 MiB when every number was an object
    // would be 1.8 GB.
    expect(grown).toBeLessThan(600);
  });

  it('computes y = x/2 + 2 for each of 1 M instances', async () => {
    const count = 1_000_000;
    const body = `{"instances": [${floats(count)}]}`;
    const res = await post(predictUrl, body);
    expect(res.status).toBe(200);
    const predictions = (res.json as { predictions: number[] }).predictions;
    expect(predictions).toHaveLength(count);
    for (const i of [0, 1, 12345, 99999, 100000, count - 1]) {
      // The response writes the shortest text of each float32.
      expect(Math.fround(predictions[i] ?? NaN)).toBe(expected(i));
    }
  });
});
