import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { type LoadContext, ModelExecutor, ModelLoader, type TensorData } from 'nest-model-serving';
import { call, callError, makeClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, ROOT } from './helpers/paths.js';

import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const PROTOS_DIR = join(ROOT, 'libs', 'model-serving', 'src', 'grpc', 'protos');

/** A model that takes `delayMs` to answer its input unchanged. */
class SlowLoader extends ModelLoader {
  readonly format = 'slow';
  constructor(private readonly delayMs: number) {
    super();
  }
  detect(context: LoadContext): boolean {
    return context.modelName === 'slow';
  }
  load(): Promise<ModelExecutor> {
    const spec = { name: 'x:0', dtype: 'float32' as const, shape: [-1] };
    const delayMs = this.delayMs;
    return Promise.resolve(
      new (class extends ModelExecutor {
        readonly backend = 'js';
        readonly signatures = {
          serving_default: {
            methodName: 'tensorflow/serving/predict',
            inputs: { x: spec },
            outputs: { y: spec },
          },
        };
        async run(_key: string, inputs: Readonly<Record<string, TensorData>>) {
          await new Promise((r) => setTimeout(r, delayMs));
          return { y: inputs['x']! };
        }
        dispose(): void {}
      })(),
    );
  }
}

describeIfPresent(REFERENCE_PROTOS)('gRPC health and deadlines', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;

  beforeAll(async () => {
    base = await tempDir('slow');
    await mkdir(join(base.path, 'slow', '1'), { recursive: true });
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        loaders: [new SlowLoader(3000)],
        models: [{ name: 'slow', basePath: join(base.path, 'slow') }],
      },
      'express',
      { grpc: true },
    );
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it('reports SERVING through grpc.health.v1.Health, and NOT_FOUND for an unknown service', async () => {
    // The health service has no TF Serving reference; its public definition is ours.
    const health = makeClient(
      PROTOS_DIR,
      ['grpc/health/v1/health.proto'],
      'grpc.health.v1.Health',
      serving.grpcAddress!,
    );
    try {
      expect(await call(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
      expect(
        await call(health, 'Check', { service: 'tensorflow.serving.PredictionService' }),
      ).toEqual({ status: 'SERVING' });
      expect((await callError(health, 'Check', { service: 'nope' })).code).toBe(
        GrpcStatus.NOT_FOUND,
      );
    } finally {
      health.close();
    }
  });

  it('ends a call whose deadline expires with DEADLINE_EXCEEDED, and keeps serving', async () => {
    const prediction = makeClient(
      REFERENCE_PROTOS,
      ['tensorflow_serving/apis/prediction_service.proto'],
      'tensorflow.serving.PredictionService',
      serving.grpcAddress!,
    );
    const request = {
      model_spec: { name: 'slow' },
      inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [3] } },
    };
    try {
      const started = Date.now();
      const error = await callError(prediction, 'Predict', request, 100);
      expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(2000);
      const ok = await call(prediction, 'Predict', request, 5000);
      expect(ok.outputs.y.float_val).toEqual([3]);
    } finally {
      prediction.close();
    }
  });
});
