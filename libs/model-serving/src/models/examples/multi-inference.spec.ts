import { startExampleInference } from '../../../../../test/helpers/example-model-loader.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { type FeatureValues, serializeExamples } from './example-codec.js';
import { type InferenceTaskCall } from './multi-inference.js';

const examples = serializeExamples([
  new Map<string, FeatureValues>([['x', { kind: 'float', values: [2] }]]),
  new Map<string, FeatureValues>([['x', { kind: 'float', values: [4] }]]),
]);
const CLASSIFY = 'tensorflow/serving/classify';
const REGRESS = 'tensorflow/serving/regress';
const task = (signature: string, method: string, model = 'default'): InferenceTaskCall => ({
  model,
  signature,
  method,
});

describe('InferenceService multiInference', () => {
  let started: Awaited<ReturnType<typeof startExampleInference>>;

  beforeAll(async () => {
    started = await startExampleInference();
  });
  afterAll(() => started.close());

  it.each(['default', 'tf2'])(
    "runs TF Serving's MultiInference test on %s: regress then classify, same version",
    async (model) => {
      const results = await started.inference.multiInference({
        tasks: [
          {
            ...task('regress_x_to_y', REGRESS, model),
            label: model === 'default' ? 'stable' : undefined,
          },
          task('classify_x_to_classes', CLASSIFY, model),
        ],
        examples,
      });
      const text = (s: string) => new TextEncoder().encode(s);
      expect(results).toEqual([
        {
          task: 'regress',
          modelSpec: { name: model, version: 123, signature: 'regress_x_to_y' },
          values: [3, 4],
        },
        {
          task: 'classify',
          modelSpec: { name: model, version: 123, signature: 'classify_x_to_classes' },
          classes: [
            [
              { label: text('half_plus_two'), score: 3 },
              { label: text('half_plus_three'), score: 4 },
            ],
            [
              { label: text('half_plus_two'), score: 4 },
              { label: text('half_plus_three'), score: 5 },
            ],
          ],
        },
      ]);
    },
  );

  const invalid = GrpcStatusCode.INVALID_ARGUMENT;
  it.each([
    [[], invalid, 'ModelSpec has no name specified.'],
    [[task('regress_x_to_y', REGRESS, '')], invalid, 'ModelSpec has no name specified.'],
    [
      [task('regress_x_to_y', REGRESS, 'nope')],
      GrpcStatusCode.NOT_FOUND,
      'Servable not found for request: Latest(nope)',
    ],
    [
      [task('regress_x_to_y', REGRESS), task('classify_x_to_y', CLASSIFY, '')],
      invalid,
      'Found ModelSpec with an empty model name.',
    ],
    [
      [task('regress_x_to_y', REGRESS), task('classify_x_to_y', CLASSIFY, 'tf2')],
      invalid,
      'All ModelSpecs in a MultiInferenceRequest must access the same model name.',
    ],
    [
      [task('', REGRESS), task('serving_default', CLASSIFY)],
      invalid,
      'No regression inputs found in SignatureDef: ',
    ],
    [
      [task('regress_x_to_y', REGRESS), task('regress_x_to_y', CLASSIFY)],
      invalid,
      'Duplicate evaluation of signature: regress_x_to_y',
    ],
    [[task('nope', REGRESS)], invalid, 'Requested signature not found in model graph: nope'],
    [
      [task('regress_x_to_y', CLASSIFY)],
      invalid,
      'Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/regress',
    ],
    [
      [task('regress_x_to_y', 'tensorflow/serving/predict')],
      GrpcStatusCode.UNIMPLEMENTED,
      'Unsupported signature method_name: tensorflow/serving/predict',
    ],
  ])('refuses tasks %j with code %i: %s', async (tasks, code, message) => {
    const error = await started.inference
      .multiInference({ tasks, examples })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelServingError);
    expect((error as ModelServingError).code).toBe(code);
    expect((error as ModelServingError).message.startsWith(message)).toBe(true);
  });

  it('checks every task before it looks at the input', async () => {
    await expect(
      started.inference.multiInference({
        tasks: [task('regress_x_to_y', REGRESS), task('nope', CLASSIFY)],
        examples: [],
      }),
    ).rejects.toThrow('Requested signature not found in model graph: nope');
    await expect(
      started.inference.multiInference({
        tasks: [task('regress_x_to_y', REGRESS)],
        examples: [],
      }),
    ).rejects.toThrow('Input is empty.');
  });
});
