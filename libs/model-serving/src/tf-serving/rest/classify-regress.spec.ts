import { startExampleInference } from '../../../../../test/helpers/example-model-loader.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { serveClassifyRegress } from './classify-regress.js';
import { readPredictRequest } from './json/predict-request.js';
import { type ModelPath } from './tf-serving-path.js';

describe('serveClassifyRegress', () => {
  let started: Awaited<ReturnType<typeof startExampleInference>>;
  const serve = (verb: 'classify' | 'regress', route: ModelPath, body: string) => {
    const { doc, signatureName } = readPredictRequest(body);
    return serveClassifyRegress(started.inference, verb, route, doc, signatureName);
  };

  beforeAll(async () => {
    started = await startExampleInference();
  });
  afterAll(() => started.close());

  it("answers TF Serving's documented calls on half_plus_two byte for byte", async () => {
    const body = (signature: string) =>
      `{"signature_name": "${signature}", "examples": [{"x": 2.0}]}`;
    await expect(serve('classify', { name: 'default' }, body('classify_x_to_y'))).resolves.toBe(
      '{\n    "results": [[["", 3.0]]\n    ]\n}',
    );
    await expect(serve('regress', { name: 'default' }, body('regress_x_to_y'))).resolves.toBe(
      '{\n    "results": [3.0]\n}',
    );
    await expect(
      serve('regress', { name: 'default', label: 'stable' }, body('regress_x_to_y2')),
    ).resolves.toBe('{\n    "results": [4.0]\n}');
    await expect(
      serve('classify', { name: 'tf2', version: 123 }, body('classify_x_to_classes')),
    ).resolves.toBe(
      '{\n    "results": [[["half_plus_two", 3.0], ["half_plus_three", 4.0]]\n    ]\n}',
    );
  });

  it('merges the context into each example, the example winning', async () => {
    await expect(
      serve(
        'regress',
        { name: 'default' },
        '{"signature_name": "regress_x_to_y", "context": {"x": 4.0}, "examples": [{}, {"x": 1.0}]}',
      ),
    ).resolves.toBe('{\n    "results": [4.0, 2.5]\n}');
  });

  it('reads the whole body before the model is looked up', async () => {
    await expect(serve('regress', { name: 'nope' }, '{"examples": []}')).rejects.toThrow(
      "'examples' value is an empty array",
    );
    const error = await serve('regress', { name: 'nope' }, '{"examples": [{}]}').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelServingError);
    expect(error).toMatchObject({
      code: GrpcStatusCode.NOT_FOUND,
      message: 'Servable not found for request: Latest(nope)',
    });
  });
});
