import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExampleParser, type SavedModelExecutor, SavedModelLoader } from 'nest-model-serving';
import protobuf from 'protobufjs';
import { get, post } from './helpers/http.js';
import { describeIfPresent, SHARED } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const TF_SERVING = join(SHARED, 'testdata', 'tf-serving');
const HALF_PLUS_TWO = '{"instances": [1.0, 2.0, 5.0]}';

const fixture = (file: string) => JSON.parse(readFileSync(join(TF_SERVING, file), 'utf8'));

interface VersionStatus {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

describeIfPresent(TF_SERVING)("TF Serving's test SavedModels", () => {
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp({
      models: [
        { name: 'default', basePath: join(TF_SERVING, 'saved_model_half_plus_two_cpu') },
        {
          name: 'saved_model_half_plus_two_2_versions',
          basePath: join(TF_SERVING, 'saved_model_half_plus_two_2_versions'),
          versionPolicy: { all: true },
        },
        { name: 'tf2', basePath: join(TF_SERVING, 'saved_model_half_plus_two_tf2_cpu') },
        { name: 'bad', basePath: join(TF_SERVING, 'bad_half_plus_two') },
      ],
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it.each([
    ['default'],
    ['saved_model_half_plus_two_2_versions'],
    ['saved_model_half_plus_two_2_versions/versions/123'],
    ['saved_model_half_plus_two_2_versions/versions/124'],
    ['tf2'],
  ])('predicts half_plus_two with %s (TF1 and TF2 exports)', async (model) => {
    const res = await post(`${serving.url}/v1/models/${model}:predict`, HALF_PLUS_TWO);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ predictions: [2.5, 3.0, 4.5] });
  });

  it('answers the documented call byte for byte', async () => {
    const res = await post(`${serving.url}/v1/models/default:predict`, HALF_PLUS_TWO);
    expect(res.text).toBe('{\n    "predictions": [2.5, 3.0, 4.5\n    ]\n}');
  });

  it('serves other predict signatures that share the weights (x2 → y3 = 0.5x + 3)', async () => {
    for (const model of ['default', 'tf2']) {
      const res = await post(
        `${serving.url}/v1/models/${model}:predict`,
        JSON.stringify({ signature_name: 'regress_x2_to_y3', instances: [[1], [2]] }),
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ predictions: [[3.5], [4]] });
    }
  });

  it('accepts shapes the placeholders do not declare, as TensorFlow does', async () => {
    // TF1 declares x as [-1, 1]; TF2 as [1]. TF Serving feeds both [3] and [3, 1].
    for (const body of [HALF_PLUS_TWO, '{"instances": [[1.0], [2.0], [5.0]]}']) {
      const res = await post(`${serving.url}/v1/models/tf2:predict`, body);
      expect(res.status).toBe(200);
      expect(res.json.predictions.flat()).toEqual([2.5, 3.0, 4.5]);
    }
  });

  it('parses serialized tf.Examples fed to signatures whose graph parses them', async () => {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(SHARED, 'protos-reference', target);
    root.loadSync('tensorflow/core/example/example.proto', { keepCase: true });
    const Example = root.lookupType('tensorflow.Example');
    const encode = (x: number) =>
      Buffer.from(
        Example.encode(
          Example.fromObject({ features: { feature: { x: { float_list: { value: [x] } } } } }),
        ).finish(),
      ).toString('base64');
    const res = await post(
      `${serving.url}/v1/models/default:predict`,
      JSON.stringify({
        signature_name: 'regress_x_to_y',
        instances: [{ b64: encode(2) }, { b64: encode(-4) }],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.json.predictions.flat()).toEqual([3, 0]);
    const bad = await post(
      `${serving.url}/v1/models/default:predict`,
      JSON.stringify({ signature_name: 'regress_x_to_y', instances: ['not a proto'] }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('example 0');
  });

  it.each([
    ['default', 'half_plus_two_model_metadata.json'],
    [
      'saved_model_half_plus_two_2_versions/versions/123',
      'saved_model_half_plus_two_2_versions_metadata.json',
    ],
  ])('answers GET %s/metadata as TF Serving does', async (model, file) => {
    const res = await get(`${serving.url}/v1/models/${model}/metadata`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(fixture(file));
  });

  it('fails bad_half_plus_two cleanly, with a specific message, while the others serve', async () => {
    const res = await get(`${serving.url}/v1/models/bad`);
    const statuses = res.json.model_version_status as VersionStatus[];
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ version: '123', state: 'END' });
    expect(statuses[0]!.status.error_code).toBe('NOT_FOUND');
    expect(statuses[0]!.status.error_message).toMatch(
      /model 'bad' version 123: .*SessionBundle.*no saved_model\.pb/,
    );
    const ok = await post(`${serving.url}/v1/models/default:predict`, HALF_PLUS_TWO);
    expect(ok.status).toBe(200);
  });
});

describeIfPresent(TF_SERVING)("TF Serving's TF2 half_plus_two under its served name", () => {
  let serving: ServingApp;

  beforeAll(async () => {
    serving = await startServingApp({
      models: [
        {
          name: 'saved_model_half_plus_two_2_versions',
          basePath: join(TF_SERVING, 'saved_model_half_plus_two_tf2_cpu'),
        },
      ],
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
  });

  it('answers GET metadata as TF Serving does', async () => {
    const res = await get(`${serving.url}/v1/models/saved_model_half_plus_two_2_versions/metadata`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(fixture('saved_model_half_plus_two_tf2_2_versions_metadata.json'));
  });
});

describeIfPresent(TF_SERVING)('signatures that parse tf.Examples in the graph', () => {
  const column = (values: number[]) => ({
    dtype: 'float32' as const,
    shape: [values.length, 1],
    data: Float32Array.from(values),
  });

  it.each(['saved_model_half_plus_two_cpu', 'saved_model_half_plus_two_tf2_cpu'])(
    '%s runs from the parse op on, given parsed features',
    async (model) => {
      const directory = join(TF_SERVING, model, '00000123');
      const executor = (await new SavedModelLoader().load({
        modelName: model,
        version: 123,
        directory,
        files: readdirSync(directory),
        backend: 'cpu',
      })) as SavedModelExecutor;
      const spec = executor.exampleParsing('classify_x_to_y')!;
      expect(spec.op).toMatch(/^ParseExample(V2)?$/);
      expect(spec.dense.map((d) => [d.key, d.tfDtype, d.shape])).toEqual([
        ['x', 'DT_FLOAT', [1]],
        ['x2', 'DT_FLOAT', [1]],
      ]);
      expect(spec.dense[0]!.defaultValue).toBeUndefined();
      const features = [column([1, 2, 5]), column([1, 2, 5])];
      expect((await executor.runParsed('classify_x_to_y', features))['scores']!.data).toEqual(
        Float32Array.of(2.5, 3, 4.5),
      );
      expect((await executor.runParsed('regress_x_to_y2', features))['outputs']!.data).toEqual(
        Float32Array.of(3.5, 4, 5.5),
      );
      expect(executor.exampleParsing('serving_default')).toBeUndefined();
      executor.dispose();
    },
  );

  describe('with an ExampleParser', () => {
    let serving: ServingApp;
    // Stands in for a tf.Example parser: each "example" is the text of x.
    const parser: ExampleParser = (serialized, spec) =>
      spec.dense.map(() => column(serialized.map((b) => Number(new TextDecoder().decode(b)))));

    beforeAll(async () => {
      serving = await startServingApp({
        models: [{ name: 'default', basePath: join(TF_SERVING, 'saved_model_half_plus_two_cpu') }],
        loaders: [new SavedModelLoader({ exampleParser: parser })],
        pollIntervalMs: 0,
        maxLoadRetries: 0,
      });
    });

    afterAll(async () => {
      await serving.app.close();
    });

    it('serves them through predict, fed serialized examples', async () => {
      const res = await post(
        `${serving.url}/v1/models/default:predict`,
        JSON.stringify({ signature_name: 'classify_x_to_y', instances: ['1', '2', '5'] }),
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ predictions: [[2.5], [3], [4.5]] });
    });
  });
});
