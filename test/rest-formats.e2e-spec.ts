import { join } from 'node:path';
import { writeMixedDtypesModel } from './helpers/mixed-dtypes-model.js';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe.each(['express', 'fastify'] as const)('REST formats and limits on %s', (platform) => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  let url: string;

  beforeAll(async () => {
    base = await tempDir('mixed');
    await writeMixedDtypesModel(join(base.path, '1'));
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        maxRequestBodyBytes: 4 * 1024 * 1024,
        models: [
          { name: 'mixed', basePath: base.path },
          { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
        ],
      },
      platform,
    );
    url = serving.url;
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it('writes floats as TF Serving does, NaN and Infinity as bare tokens', async () => {
    const res = await post(
      `${url}/v1/models/half_plus_two:predict`,
      '{"instances": [0.2, 1e-8, 3e7, 1.5, NaN, -Infinity]}',
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      '{\n    "predictions": [2.1, 2.0, 15000002.0, 2.75, NaN, -Infinity\n    ]\n}',
    );
  });

  it('answers named row-format instances of four dtypes, bytes in base64', async () => {
    const body = {
      instances: [
        { count: 41, flag: true, value: 1.25, blob: { b64: b64('héllo') } },
        { count: -1, flag: false, value: -3, blob: 'plain text' },
      ],
    };
    const res = await post(`${url}/v1/models/mixed:predict`, JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      predictions: [
        { blob_bytes: { b64: b64('héllo') }, count_out: 42, flag_out: false, value_out: 2.5 },
        { blob_bytes: { b64: b64('plain text') }, count_out: 0, flag_out: true, value_out: -6 },
      ],
    });
  });

  it('answers columnar inputs with an object of outputs', async () => {
    const body = {
      inputs: { count: [1, 2], flag: [false, false], value: [0.1, 0.2], blob: ['a', 'b'] },
    };
    const res = await post(`${url}/v1/models/mixed:predict`, JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      outputs: {
        blob_bytes: [{ b64: b64('a') }, { b64: b64('b') }],
        count_out: [2, 3],
        flag_out: [true, true],
        value_out: [0.2, 0.4],
      },
    });
  });

  it.each([
    [
      { instances: [{ count: 1.5, flag: true, value: 1, blob: 'x' }] },
      'is not of expected type: int32',
    ],
    [{ instances: [{ count: 1, flag: 1, value: 1, blob: 'x' }] }, 'is not of expected type: bool'],
    [
      { instances: [{ count: 1, flag: true, value: 'x', blob: 'x' }] },
      'is not of expected type: float',
    ],
    [
      { instances: [{ count: 1, flag: true, value: 1, blob: { b64: '%%%' } }] },
      'Unable to base64 decode',
    ],
    [
      { instances: [{ count: 1, flag: true, value: 1 }] },
      'keys must be equal to: blob,count,flag,value',
    ],
    [{ instances: [1, 2] }, 'instances is a plain list, but expecting list of objects'],
    [
      { inputs: { count: [1], flag: [true], value: [1] } },
      "Missing named input: blob in 'inputs' object.",
    ],
    [
      { inputs: [1], instances: [1] },
      "expecting only one of 'inputs' or 'instances' keys to exist",
    ],
    [
      { instances: [{ count: 2147483648, flag: true, value: 1, blob: 'x' }] },
      'is not of expected type: int32',
    ],
  ])('rejects %j', async (body, message) => {
    const res = await post(`${url}/v1/models/mixed:predict`, JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.json.error).toContain(message);
  });

  it("accepts bodies far above the frameworks' 100 kB default", async () => {
    const xs = Array.from({ length: 100_000 }, (_, i) => i % 1000);
    const body = JSON.stringify({ instances: xs });
    expect(body.length).toBeGreaterThan(300_000);
    const res = await post(`${url}/v1/models/half_plus_two:predict`, body);
    expect(res.status).toBe(200);
    const predictions = res.json.predictions as number[];
    expect(predictions).toHaveLength(xs.length);
    expect(predictions[999]).toBe(0.5 * 999 + 2);
  });

  it('refuses a body over maxRequestBodyBytes with 413 in the error shape, and keeps serving', async () => {
    const body = JSON.stringify({ instances: Array.from({ length: 2_500_000 }, () => 1) });
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
    const res = await post(`${url}/v1/models/half_plus_two:predict`, body);
    expect(res.status).toBe(413);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(Object.keys(res.json)).toEqual(['error']);
    expect(res.json.error).toMatch(/too large/i);
    const after = await get(`${url}/v1/models/half_plus_two`);
    expect(after.status).toBe(200);
  });
});
