import { startExampleInference } from '../../../../../test/helpers/example-model-loader.js';
import { decodeExample, type FeatureValues } from '../../models/examples/example-codec.js';
import { ClassificationService, type ExampleMessage, readInput } from './classification-service.js';

/** An Example as @grpc/proto-loader hands it over (defaults and oneof names on). */
const example = (x: number, more: ExampleMessage['features'] = {}): ExampleMessage => ({
  features: {
    feature: {
      x: { float_list: { value: [x] }, bytes_list: null, int64_list: null, kind: 'float_list' },
      ...more?.feature,
    },
  },
});
const spec = (signature_name: string, name = 'default') => ({
  name,
  signature_name,
  version: null,
  version_label: '',
});
const list = (...xs: number[]) => ({
  example_list: { examples: xs.map((x) => example(x)) },
  example_list_with_context: null,
  kind: 'example_list',
});

describe('readInput', () => {
  it('serializes an example_list, every feature kind kept', () => {
    const [bytes] = readInput({
      example_list: {
        examples: [
          example(2, {
            feature: {
              ids: { int64_list: { value: ['9007199254740993', '-1'] }, kind: 'int64_list' },
              raw: { bytes_list: { value: [Buffer.from('hi')] } },
              none: { bytes_list: null, float_list: null, int64_list: null },
            },
          }),
        ],
      },
      kind: 'example_list',
    });
    expect(decodeExample(bytes!)).toEqual(
      new Map<string, FeatureValues>([
        ['x', { kind: 'float', values: [2] }],
        ['ids', { kind: 'int64', values: [9007199254740993n, -1n] }],
        ['raw', { kind: 'bytes', values: [Uint8Array.from(Buffer.from('hi'))] }],
        ['none', { kind: 'none' }],
      ]),
    );
  });

  it('merges the context of example_list_with_context into each example', () => {
    const serialized = readInput({
      example_list: null,
      example_list_with_context: {
        context: example(4, { feature: { c: { int64_list: { value: [1] } } } }),
        examples: [{ features: null }, example(1)],
      },
      kind: 'example_list_with_context',
    });
    expect(serialized.map((bytes) => decodeExample(bytes))).toEqual([
      new Map<string, FeatureValues>([
        ['x', { kind: 'float', values: [4] }],
        ['c', { kind: 'int64', values: [1n] }],
      ]),
      new Map<string, FeatureValues>([
        ['x', { kind: 'float', values: [1] }],
        ['c', { kind: 'int64', values: [1n] }],
      ]),
    ]);
  });

  it('has no examples when no list is set', () => {
    expect(readInput(null)).toEqual([]);
    expect(readInput({ example_list: null, example_list_with_context: null })).toEqual([]);
    expect(readInput({ example_list_with_context: { examples: [] } })).toEqual([]);
  });
});

describe('ClassificationService', () => {
  let started: Awaited<ReturnType<typeof startExampleInference>>;
  let service: ClassificationService;

  beforeAll(async () => {
    started = await startExampleInference();
    service = new ClassificationService(started.inference);
  });
  afterAll(() => started.close());

  it('answers Classify and Regress with the results and the resolved model_spec', async () => {
    await expect(
      service.classify({ model_spec: spec('classify_x_to_classes'), input: list(2) }),
    ).resolves.toEqual({
      result: {
        classifications: [
          {
            classes: [
              { label: 'half_plus_two', score: 3 },
              { label: 'half_plus_three', score: 4 },
            ],
          },
        ],
      },
      model_spec: {
        name: 'default',
        version: { value: '123' },
        signature_name: 'classify_x_to_classes',
      },
    });
    await expect(
      service.regress({
        model_spec: {
          ...spec('regress_x_to_y'),
          version_label: 'stable',
          version_choice: 'version_label',
        },
        input: list(2, 4),
      }),
    ).resolves.toEqual({
      result: { regressions: [{ value: 3 }, { value: 4 }] },
      model_spec: { name: 'default', version: { value: '123' }, signature_name: 'regress_x_to_y' },
    });
  });

  it('answers MultiInference with one result per task, in order', async () => {
    await expect(
      service.multiInference({
        tasks: [
          {
            model_spec: spec('classify_x_to_y', 'tf2'),
            method_name: 'tensorflow/serving/classify',
          },
          { model_spec: spec('regress_x_to_y', 'tf2'), method_name: 'tensorflow/serving/regress' },
        ],
        input: list(2),
      }),
    ).resolves.toEqual({
      results: [
        {
          model_spec: { name: 'tf2', version: { value: '123' }, signature_name: 'classify_x_to_y' },
          classification_result: { classifications: [{ classes: [{ label: '', score: 3 }] }] },
        },
        {
          model_spec: { name: 'tf2', version: { value: '123' }, signature_name: 'regress_x_to_y' },
          regression_result: { regressions: [{ value: 3 }] },
        },
      ],
    });
  });

  it.each([
    [() => service.classify({ model_spec: null, input: list(2) }), 'Missing ModelSpec'],
    [() => service.regress({ model_spec: spec('regress_x_to_y'), input: null }), 'Input is empty.'],
    [
      () =>
        service.multiInference({
          tasks: [
            { model_spec: spec('regress_x_to_y'), method_name: 'tensorflow/serving/regress' },
            { model_spec: { signature_name: 'x' }, method_name: 'tensorflow/serving/regress' },
          ],
          input: list(2),
        }),
      'Found ModelSpec with an empty model name.',
    ],
    [() => service.multiInference({ input: list(2) }), 'ModelSpec has no name specified.'],
  ])('fails with TF Serving messages (%#): %s', async (run, message) => {
    await expect(run()).rejects.toThrow(message);
  });
});
