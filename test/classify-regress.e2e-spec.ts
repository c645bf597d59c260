import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  decodeExampleObject,
  ExampleModelLoader,
  exampleModelDirs,
} from './helpers/example-model-loader.js';
import {
  call,
  callError,
  type makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { post } from './helpers/http.js';
import { describeIfPresent, SHARED } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** The example models (`default` with TF1-style method names, `tf2` all `predict`) served. */
async function startExampleModels(
  platform: 'express' | 'fastify',
  grpc: boolean,
): Promise<{ serving: ServingApp; loader: ExampleModelLoader; cleanup: () => Promise<void> }> {
  const { models, cleanup } = await exampleModelDirs();
  const loader = new ExampleModelLoader();
  const serving = await startServingApp(
    { pollIntervalMs: 0, loaders: [loader], models },
    platform,
    { grpc },
  );
  return { serving, loader, cleanup };
}

/** half_plus_two's `serving_default` as TensorFlow's `SignatureDef::DebugString()` prints it. */
const SERVING_DEFAULT_DEBUG = [
  ['inputs', 'x', 'x:0'],
  ['outputs', 'y', 'y:0'],
]
  .map(
    ([field, key, name]) =>
      `${field} {\n  key: "${key}"\n  value {\n    name: "${name}"\n    dtype: DT_FLOAT\n` +
      `    tensor_shape {\n      dim {\n        size: -1\n      }\n      dim {\n        size: 1\n` +
      `      }\n    }\n  }\n}\n`,
  )
  .join('')
  .concat('method_name: "tensorflow/serving/predict"\n');

describe.each(['express', 'fastify'] as const)(
  'Classify and Regress over REST on %s',
  (platform) => {
    let started: Awaited<ReturnType<typeof startExampleModels>>;
    let url: string;
    const classify = (body: string, path = 'default') =>
      post(`${url}/v1/models/${path}:classify`, body, 'application/json');
    const regress = (body: string, path = 'default') =>
      post(`${url}/v1/models/${path}:regress`, body, 'application/json');

    beforeAll(async () => {
      started = await startExampleModels(platform, false);
      url = started.serving.url;
    });

    afterAll(async () => {
      await started.serving.app.close();
      await started.cleanup();
    });

    it("gives TF Serving's documented answers on half_plus_two, byte for byte", async () => {
      const c = await classify('{"signature_name": "classify_x_to_y", "examples": [{"x": 2.0}]}');
      expect(c.status).toBe(200);
      expect(c.contentType).toMatch(/^application\/json/);
      expect(c.text).toBe('{\n    "results": [[["", 3.0]]\n    ]\n}');
      expect(c.json).toEqual({ results: [[['', 3.0]]] });

      const r = await regress('{"signature_name": "regress_x_to_y", "examples": [{"x": 2.0}]}');
      expect(r.status).toBe(200);
      expect(r.text).toBe('{\n    "results": [3.0]\n}');

      const two = await classify(
        '{"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}, {"x": 2.0}]}',
      );
      expect(two.text).toBe('{\n    "results": [[["", 2.5]], [["", 3.0]]\n    ]\n}');
      const y2 = await regress('{"signature_name": "regress_x_to_y2", "examples": [{"x": 2.0}]}');
      expect(y2.json).toEqual({ results: [4.0] });
    });

    it('serves versions and labels, and signatures with classes and scores', async () => {
      const body = '{"signature_name": "regress_x_to_y", "examples": [{"x": 4.0}]}';
      expect((await regress(body, 'default/versions/123')).json).toEqual({ results: [4.0] });
      expect((await regress(body, 'default/labels/stable')).json).toEqual({ results: [4.0] });
      const classes = await classify(
        '{"signature_name": "classify_x_to_classes", "examples": [{"x": 2.0}, {"x": 0.5}]}',
      );
      expect(classes.text).toBe(
        '{\n    "results": [[["half_plus_two", 3.0], ["half_plus_three", 4.0]], ' +
          '[["half_plus_two", 2.25], ["half_plus_three", 3.25]]\n    ]\n}',
      );
    });

    it('classifies and regresses on TF2 signatures labelled predict', async () => {
      const c = await classify(
        '{"signature_name": "classify_x_to_y", "examples": [{"x": 2.0}]}',
        'tf2',
      );
      expect(c.json).toEqual({ results: [[['', 3.0]]] });
      const r = await regress(
        '{"signature_name": "regress_x_to_y", "examples": [{"x": 2.0}]}',
        'tf2',
      );
      expect(r.json).toEqual({ results: [3.0] });
      const wrong = await classify(
        '{"signature_name": "regress_x_to_y", "examples": [{"x": 2.0}]}',
        'tf2',
      );
      expect(wrong.status).toBe(400);
      expect(wrong.json.error).toMatch(
        /^Expected classification signature outputs to contain at least one of "classes" or "scores"\. Signature was: inputs \{\n {2}key: "inputs"\n/,
      );
    });

    it('merges the context into every example, the example winning, and passes every feature kind', async () => {
      const r = await regress(
        '{"signature_name": "regress_x_to_y", "context": {"x": 4.0, "tag": "ctx"}, ' +
          '"examples": [{}, {"x": 1.0, "ids": [1, -2], "raw": {"b64": "aGk="}, "flag": true, "none": []}]}',
      );
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ results: [4.0, 2.5] });
      const fed = started.loader.executors.find((e) => e.model === 'default')!.fed.at(-1)!;
      expect(fed.map((bytes) => decodeExampleObject(bytes).features?.feature)).toEqual([
        { x: { float_list: { value: [4] } }, tag: { bytes_list: { value: [Buffer.from('ctx')] } } },
        {
          x: { float_list: { value: [1] } },
          tag: { bytes_list: { value: [Buffer.from('ctx')] } },
          ids: { int64_list: { value: ['1', '-2'] } },
          raw: { bytes_list: { value: [Buffer.from('hi')] } },
          flag: { int64_list: { value: ['1'] } },
          none: {},
        },
      ]);
    });

    it.each([
      [
        '{"examples": [{"x": 2.0}]}',
        'classify',
        `No classification inputs found in SignatureDef: ${SERVING_DEFAULT_DEBUG}`,
      ],
      [
        '{"signature_name": "regress_x_to_y", "examples": [{"x": 2.0}]}',
        'classify',
        'Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/regress',
      ],
      [
        '{"signature_name": "classify_x_to_y", "examples": [{"x": 2.0}]}',
        'regress',
        'Expected regression signature method_name to be tensorflow/serving/regress. Was: tensorflow/serving/classify',
      ],
      [
        '{"signature_name": "nope", "examples": [{"x": 2.0}]}',
        'regress',
        'No signature was found with the name: nope',
      ],
      [
        '{"signature_name": "regress_two_columns", "examples": [{"x": 2.0}]}',
        'regress',
        'Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got [1,2]',
      ],
      [
        '{"signature_name": "regress_x_to_y"}',
        'regress',
        `JSON Value: {\n    "signature_name": "regress_x_to_y"\n} When method is classify, key 'examples' is expected and was not found`,
      ],
      [
        '{"examples": {}}',
        'classify',
        `JSON Value: {\n    "examples": {}\n} Expecting 'examples' value to be an list/array`,
      ],
      [
        '{"examples": []}',
        'classify',
        `JSON Value: {\n    "examples": []\n} 'examples' value is an empty array`,
      ],
      ['{"examples": [[1]]}', 'classify', 'Example must be JSON object but got JSON Array'],
      [
        '{"context": 1, "examples": [{}]}',
        'classify',
        'Example must be JSON object but got JSON Number',
      ],
      [
        '{"examples": [{"x": null}]}',
        'classify',
        'Feature: x has element with unexpected JSON type: Null',
      ],
      [
        '{"examples": [{"x": [[1]]}]}',
        'classify',
        'Feature: x has element with unexpected JSON type: Array',
      ],
      [
        '{"examples": [{"x": [1.5, 2]}]}',
        'regress',
        'Unexpected element type in feature: x expecting type: float',
      ],
      [
        '{"examples": [{"x": 18446744073709551615}]}',
        'regress',
        'Feature: x has uint64_t element. Only int64_t is supported.',
      ],
      ['{"examples": [{"x": {"b64": "!"}}]}', 'regress', 'Unable to base64 decode'],
      [
        '{"signature_name": 1, "examples": [{}]}',
        'regress',
        `JSON Value: {\n    "signature_name": 1,\n    "examples": [{}]\n} not formatted correctly. 'signature_name' key must be a string value.`,
      ],
      ['[', 'regress', 'JSON Parse error: Invalid value. at offset: 1'],
    ])("answers %s to :%s with 400 and TF Serving's message", async (body, verb, message) => {
      const res = await (verb === 'classify' ? classify(body) : regress(body));
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: message });
    });

    it('reads the whole body before looking the model up, then answers 404 or 400 as TF Serving', async () => {
      const bad = await regress('{}', 'nope');
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/key 'examples' is expected and was not found$/);
      const body = '{"examples": [{"x": 2.0}]}';
      expect(await regress(body, 'nope')).toMatchObject({
        status: 404,
        json: { error: 'Servable not found for request: Latest(nope)' },
      });
      expect(await regress(body, 'default/versions/7')).toMatchObject({
        status: 404,
        json: { error: 'Servable not found for request: Specific(default, 7)' },
      });
      expect(await regress(body, 'default/labels/nope')).toMatchObject({
        status: 400,
        json: { error: 'Unrecognized servable version label: nope' },
      });
      const floatInput = await regress(
        '{"signature_name": "regress_x2_to_y3", "examples": [{"x": 1.0}]}',
      );
      expect(floatInput.status).toBe(400);
      expect(floatInput.json.error).toMatch(/input 'inputs' expects dtype float32, got string/);
    });
  },
);

describeIfPresent(REFERENCE_PROTOS)('Classify, Regress and MultiInference over gRPC', () => {
  let started: Awaited<ReturnType<typeof startExampleModels>>;
  let client: ReturnType<typeof makeClient>;
  const exampleOf = (x: number, more: object = {}) => ({
    features: { feature: { x: { float_list: { value: [x] } }, ...more } },
  });
  const list = (...xs: number[]) => ({ example_list: { examples: xs.map((x) => exampleOf(x)) } });
  const spec = (signature_name: string, name = 'default') => ({ name, signature_name });

  beforeAll(async () => {
    started = await startExampleModels('express', true);
    client = predictionClient(started.serving.grpcAddress!);
  });

  afterAll(async () => {
    client.close();
    await started.serving.app.close();
    await started.cleanup();
  });

  it.each(['default', 'tf2'])("gives TF Serving's test answers on %s", async (model) => {
    const c = await call(client, 'Classify', {
      model_spec: spec('classify_x_to_y', model),
      input: list(2),
    });
    expect(c.result.classifications).toEqual([{ classes: [{ label: '', score: 3 }] }]);
    expect(c.model_spec).toMatchObject({
      name: model,
      signature_name: 'classify_x_to_y',
      version: { value: '123' },
    });

    const r = await call(client, 'Regress', {
      model_spec: spec('regress_x_to_y', model),
      input: list(2),
    });
    expect(r.result.regressions).toEqual([{ value: 3 }]);
    expect(r.model_spec).toMatchObject({
      name: model,
      signature_name: 'regress_x_to_y',
      version: { value: '123' },
    });

    const m = await call(client, 'MultiInference', {
      tasks: [
        { model_spec: spec('regress_x_to_y', model), method_name: 'tensorflow/serving/regress' },
        { model_spec: spec('classify_x_to_y', model), method_name: 'tensorflow/serving/classify' },
      ],
      input: list(2),
    });
    expect(m.results).toHaveLength(2);
    expect(m.results[0].regression_result.regressions).toEqual([{ value: 3 }]);
    expect(m.results[1].classification_result.classifications).toEqual([
      { classes: [{ label: '', score: 3 }] },
    ]);
    expect(m.results.map((result: any) => result.model_spec)).toMatchObject([
      { name: model, signature_name: 'regress_x_to_y', version: { value: '123' } },
      { name: model, signature_name: 'classify_x_to_y', version: { value: '123' } },
    ]);
  });

  it('merges the context, keeps every feature kind, resolves labels and the default signature', async () => {
    const r = await call(client, 'Regress', {
      model_spec: { name: 'default', signature_name: 'regress_x_to_y', version_label: 'stable' },
      input: {
        example_list_with_context: {
          context: exampleOf(4, { tag: { bytes_list: { value: [Buffer.from('ctx')] } } }),
          examples: [
            {
              features: { feature: { ids: { int64_list: { value: ['9007199254740993', '-1'] } } } },
            },
            exampleOf(1),
          ],
        },
      },
    });
    expect(r.result.regressions).toEqual([{ value: 4 }, { value: 2.5 }]);
    expect(r.model_spec).toMatchObject({ name: 'default', version: { value: '123' } });

    const classes = await call(client, 'Classify', {
      model_spec: spec('classify_x_to_classes'),
      input: list(2),
    });
    expect(classes.result.classifications).toEqual([
      {
        classes: [
          { label: 'half_plus_two', score: 3 },
          { label: 'half_plus_three', score: 4 },
        ],
      },
    ]);
  });

  it.each([
    ['Classify', { input: list(2) }, GrpcStatus.INVALID_ARGUMENT, 'Missing ModelSpec'],
    [
      'Classify',
      { model_spec: spec('classify_x_to_y'), input: {} },
      GrpcStatus.INVALID_ARGUMENT,
      'Input is empty.',
    ],
    [
      'Regress',
      { model_spec: spec('regress_x_to_y'), input: { example_list: { examples: [] } } },
      GrpcStatus.INVALID_ARGUMENT,
      'Input is empty.',
    ],
    [
      'Regress',
      { model_spec: spec('regress_x_to_y', 'nope'), input: list(2) },
      GrpcStatus.NOT_FOUND,
      'Servable not found for request: Latest(nope)',
    ],
    [
      'Regress',
      { model_spec: spec('nope'), input: list(2) },
      GrpcStatus.INVALID_ARGUMENT,
      'No signature was found with the name: nope',
    ],
    [
      'Classify',
      { model_spec: spec('regress_x_to_y'), input: list(2) },
      GrpcStatus.INVALID_ARGUMENT,
      'Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/regress',
    ],
    [
      'MultiInference',
      { tasks: [], input: list(2) },
      GrpcStatus.INVALID_ARGUMENT,
      'ModelSpec has no name specified.',
    ],
    [
      'MultiInference',
      {
        tasks: [
          { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' },
          {
            model_spec: spec('classify_x_to_y', 'tf2'),
            method_name: 'tensorflow/serving/classify',
          },
        ],
        input: list(2),
      },
      GrpcStatus.INVALID_ARGUMENT,
      'All ModelSpecs in a MultiInferenceRequest must access the same model name.',
    ],
    [
      'MultiInference',
      {
        tasks: [
          { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' },
          { model_spec: { signature_name: 'x' }, method_name: 'tensorflow/serving/regress' },
        ],
        input: list(2),
      },
      GrpcStatus.INVALID_ARGUMENT,
      'Found ModelSpec with an empty model name.',
    ],
    [
      'MultiInference',
      {
        tasks: [
          { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' },
          { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/classify' },
        ],
        input: list(2),
      },
      GrpcStatus.INVALID_ARGUMENT,
      'Duplicate evaluation of signature: regress_x_to_y',
    ],
    [
      'MultiInference',
      {
        tasks: [{ model_spec: spec('nope'), method_name: 'tensorflow/serving/regress' }],
        input: list(2),
      },
      GrpcStatus.INVALID_ARGUMENT,
      'Requested signature not found in model graph: nope',
    ],
    [
      'MultiInference',
      {
        tasks: [{ model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/predict' }],
        input: list(2),
      },
      GrpcStatus.UNIMPLEMENTED,
      'Unsupported signature method_name: tensorflow/serving/predict',
    ],
    [
      'MultiInference',
      {
        tasks: [{ model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' }],
        input: {},
      },
      GrpcStatus.INVALID_ARGUMENT,
      'Input is empty.',
    ],
  ])('fails %s %j with code %i: %s', async (method, request, code, details) => {
    expect(await callError(client, method, request)).toEqual({ code, details });
  });
});

const TF_SERVING = join(SHARED, 'testdata', 'tf-serving');

describeIfPresent(TF_SERVING)("TF Serving's own half_plus_two SavedModels (TF1 and TF2)", () => {
  let serving: ServingApp;
  let client: ReturnType<typeof makeClient>;
  const input = {
    example_list: { examples: [{ features: { feature: { x: { float_list: { value: [2] } } } } }] },
  };

  beforeAll(async () => {
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        models: [
          { name: 'default', basePath: join(TF_SERVING, 'saved_model_half_plus_two_cpu') },
          { name: 'tf2', basePath: join(TF_SERVING, 'saved_model_half_plus_two_tf2_cpu') },
        ],
      },
      'express',
      { grpc: true },
    );
    client = predictionClient(serving.grpcAddress!);
  });

  afterAll(async () => {
    client.close();
    await serving.app.close();
  });

  it.each(['default', 'tf2'])("gives TF Serving's documented REST answers on %s", async (model) => {
    const send = (verb: string, body: string) =>
      post(`${serving.url}/v1/models/${model}:${verb}`, body, 'application/json');
    const c = await send(
      'classify',
      '{"signature_name": "classify_x_to_y", "examples": [{"x": 2.0}]}',
    );
    expect(c.text).toBe('{\n    "results": [[["", 3.0]]\n    ]\n}');
    const r = await send(
      'regress',
      '{"signature_name": "regress_x_to_y", "examples": [{"x": 2.0}]}',
    );
    expect(r.text).toBe('{\n    "results": [3.0]\n}');
    const two = await send(
      'classify',
      '{"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}, {"x": 2.0}]}',
    );
    expect(two.json).toEqual({ results: [[['', 2.5]], [['', 3.0]]] });
    const context = await send(
      'regress',
      '{"signature_name": "regress_x_to_y2", "context": {"x": 4.0}, "examples": [{}, {"x": 1.0}]}',
    );
    expect(context.json).toEqual({ results: [5.0, 3.5] });
  });

  it.each(['default', 'tf2'])("gives TF Serving's gRPC test answers on %s", async (model) => {
    const spec = (signature_name: string) => ({ name: model, signature_name });
    const echoed = (signature_name: string) => ({
      ...spec(signature_name),
      version: { value: '123' },
    });
    const c = await call(client, 'Classify', { model_spec: spec('classify_x_to_y'), input });
    expect(c.result.classifications).toEqual([{ classes: [{ label: '', score: 3 }] }]);
    expect(c.model_spec).toMatchObject(echoed('classify_x_to_y'));
    const r = await call(client, 'Regress', { model_spec: spec('regress_x_to_y'), input });
    expect(r.result.regressions).toEqual([{ value: 3 }]);
    expect(r.model_spec).toMatchObject(echoed('regress_x_to_y'));
    const m = await call(client, 'MultiInference', {
      tasks: [
        { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' },
        { model_spec: spec('classify_x_to_y'), method_name: 'tensorflow/serving/classify' },
      ],
      input,
    });
    expect(m.results[0].regression_result.regressions).toEqual([{ value: 3 }]);
    expect(m.results[1].classification_result.classifications[0].classes[0].score).toBe(3);
    expect(m.results.map((result: any) => result.model_spec)).toMatchObject([
      echoed('regress_x_to_y'),
      echoed('classify_x_to_y'),
    ]);
  });

  // ParseExample runs in the product here (the fake loader above only stands in for it).
  const parseFailures: [body: string, message: string][] = [
    ['[{"y": 2.0}]', "example 0 feature 'x' (data type: float) is required but could not be found"],
    [
      '[{"x": 2.0}, {"x": "a"}]',
      "example 1 feature 'x': data types don't match; expected float, got bytes",
    ],
    ['[{"x": 2}]', "example 0 feature 'x': data types don't match; expected float, got int64"],
    ['[{"x": [1.0, 2.0]}]', "example 0 feature 'x': expected 1 values for shape [1], got 2"],
  ];

  it.each(
    ['default', 'tf2'].flatMap((model) =>
      parseFailures.map(([body, message]) => [model, body, message]),
    ),
  )(
    "answers :regress on %s with examples %s with 400 and the parser's message",
    async (model, body, message) => {
      const res = await post(
        `${serving.url}/v1/models/${model}:regress`,
        `{"signature_name": "regress_x_to_y", "examples": ${body}}`,
        'application/json',
      );
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: message });
    },
  );

  it.each(['default', 'tf2'])(
    'fails Regress and Classify over gRPC on %s with the same message',
    async (model) => {
      const examples = [{ features: { feature: { y: { float_list: { value: [2] } } } } }];
      const expected = {
        code: GrpcStatus.INVALID_ARGUMENT,
        details: "example 0 feature 'x' (data type: float) is required but could not be found",
      };
      for (const [method, signature_name] of [
        ['Regress', 'regress_x_to_y'],
        ['Classify', 'classify_x_to_y'],
      ] as const) {
        const error = await callError(client, method, {
          model_spec: { name: model, signature_name },
          input: { example_list: { examples } },
        });
        expect(error).toEqual(expected);
      }
    },
  );
});
