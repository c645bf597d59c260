import { startExampleInference } from '../../../../../test/helpers/example-model-loader.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { type FeatureValues, serializeExamples, type TfExample } from './example-codec.js';
import { servedSignature } from '../signature.js';
import { type SignatureDef } from '../signature.js';

const xs = (...values: number[]): Uint8Array[] =>
  serializeExamples(
    values.map(
      (x): TfExample => new Map<string, FeatureValues>([['x', { kind: 'float', values: [x] }]]),
    ),
  );
const EMPTY = new Uint8Array(0);

describe('InferenceService classify and regress', () => {
  let started: Awaited<ReturnType<typeof startExampleInference>>;

  beforeAll(async () => {
    started = await startExampleInference();
  });
  afterAll(() => started.close());

  it('classify on half_plus_two: scores y = 0.5x + 2 with empty labels, the spec resolved', async () => {
    const result = await started.inference.classify({
      model: 'default',
      signature: 'classify_x_to_y',
      examples: xs(1, 2),
    });
    expect(result).toEqual({
      modelSpec: { name: 'default', version: 123, signature: 'classify_x_to_y' },
      results: [[{ label: EMPTY, score: 2.5 }], [{ label: EMPTY, score: 3 }]],
    });
  });

  it('regresses by label and on TF2 signatures labelled predict', async () => {
    const byLabel = await started.inference.regress({
      model: 'default',
      label: 'stable',
      signature: 'regress_x_to_y2',
      examples: xs(2),
    });
    expect(byLabel).toEqual({
      modelSpec: { name: 'default', version: 123, signature: 'regress_x_to_y2' },
      results: [4],
    });
    const tf2 = await started.inference.regress({
      model: 'tf2',
      version: 123,
      signature: 'regress_x_to_y',
      examples: xs(2, 4),
    });
    expect(tf2.results).toEqual([3, 4]);
  });

  it.each([
    [{ model: 'nope' }, GrpcStatusCode.NOT_FOUND, 'Servable not found for request: Latest(nope)'],
    [
      { model: 'default', version: 7 },
      GrpcStatusCode.NOT_FOUND,
      'Servable not found for request: Specific(default, 7)',
    ],
    [
      { model: 'default', label: 'x' },
      GrpcStatusCode.INVALID_ARGUMENT,
      'Unrecognized servable version label: x',
    ],
    [
      { model: 'default', signature: 'nope' },
      GrpcStatusCode.INVALID_ARGUMENT,
      'No signature was found with the name: nope',
    ],
    [
      { model: 'default', signature: 'regress_x_to_y' },
      GrpcStatusCode.INVALID_ARGUMENT,
      'Expected classification signature method_name to be tensorflow/serving/classify. Was: tensorflow/serving/regress',
    ],
    [
      { model: 'default', signature: 'classify_x_to_y', examples: [] },
      GrpcStatusCode.INVALID_ARGUMENT,
      'Input is empty.',
    ],
  ])('classify %j fails with code %i: %s', async (call, code, message) => {
    const error = await started.inference
      .classify({ examples: xs(1), ...call })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelServingError);
    expect(error).toMatchObject({ message });
    expect((error as ModelServingError).code).toBe(code);
  });

  it('checks the signature before the input, as TF Serving', async () => {
    await expect(started.inference.regress({ model: 'default', examples: [] })).rejects.toThrow(
      /^No regression inputs found in SignatureDef: inputs \{\n {2}key: "x"/,
    );
    await expect(
      started.inference.regress({
        model: 'default',
        signature: 'regress_x_to_y',
        examples: [],
      }),
    ).rejects.toThrow('Input is empty.');
  });
});

describe('servedSignature', () => {
  it('finds only the enumerable signatures a version serves', () => {
    const def: SignatureDef = { methodName: '', inputs: {}, outputs: {} };
    const signatures = Object.defineProperty({ a: def }, 'hidden', {
      value: def,
      enumerable: false,
    });
    expect(servedSignature(signatures, 'a')).toBe(def);
    expect(servedSignature(signatures, 'hidden')).toBeUndefined();
    expect(servedSignature(signatures, 'toString')).toBeUndefined();
  });
});
