import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { status as GrpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js';
import { type LoadContext, ModelExecutor, ModelLoader, type TensorData } from 'nest-model-serving';
import {
  call,
  callError,
  makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, ROOT } from './helpers/paths.js';

import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const PROTOS_DIR = join(ROOT, 'libs', 'model-serving', 'src', 'protos');

/**
 * A model that takes `delayMs` to answer its input unchanged: waiting (`'async'`), or holding the
 * event loop the whole time (`'blocking'`), as a synchronous kernel on the main thread does.
 */
class SlowLoader extends ModelLoader {
  readonly format = 'slow';
  constructor(
    private readonly delayMs: number,
    private readonly models: Record<string, 'async' | 'blocking'> = { slow: 'async' },
  ) {
    super();
  }
  detect(context: LoadContext): boolean {
    return context.modelName in this.models;
  }
  load(context: LoadContext): Promise<ModelExecutor> {
    const spec = { name: 'x:0', dtype: 'float32' as const, shape: [-1] };
    const delayMs = this.delayMs;
    const blocking = this.models[context.modelName] === 'blocking';
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
          if (blocking) {
            const until = Date.now() + delayMs;
            while (Date.now() < until) {
              // Busy: nothing else runs in this process meanwhile.
            }
          } else {
            await new Promise((r) => setTimeout(r, delayMs));
          }
          return { y: inputs['x']! };
        }
        dispose(): void {}
      })(),
    );
  }
}

/**
 * A unary call whose deadline only the server knows: the `grpc-timeout` header is sent as
 * metadata and the client sets no deadline of its own, so the status that comes back is the one
 * the server wrote, never the client library's own "Deadline exceeded after …".
 */
function callWithServerDeadline(
  client: ReturnType<typeof makeClient>,
  request: object,
  timeoutMs: number,
): Promise<{ code: number; details: string }> {
  const metadata = new Metadata();
  metadata.set('grpc-timeout', `${timeoutMs}m`);
  return new Promise((resolve) => {
    client['Predict']!(request, metadata, {}, (error: ServiceError | null) =>
      resolve(error ? { code: error.code, details: error.details } : { code: 0, details: '' }),
    );
  });
}

describeIfPresent(REFERENCE_PROTOS)('gRPC health and deadlines', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;

  beforeAll(async () => {
    base = await tempDir('slow');
    await mkdir(join(base.path, 'slow', '1'), { recursive: true });
    await mkdir(join(base.path, 'blocking', '1'), { recursive: true });
    serving = await startServingApp(
      {
        pollIntervalMs: 0,
        loaders: [
          new SlowLoader(3000, { slow: 'async' }),
          new SlowLoader(500, { blocking: 'blocking' }),
        ],
        models: [
          { name: 'slow', basePath: join(base.path, 'slow') },
          { name: 'blocking', basePath: join(base.path, 'blocking') },
        ],
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

  it("ends a call whose client deadline expires with the client library's DEADLINE_EXCEEDED, and keeps serving", async () => {
    const prediction = predictionClient(serving.grpcAddress!);
    const request = {
      model_spec: { name: 'slow' },
      inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [3] } },
    };
    try {
      const started = Date.now();
      const error = await callError(prediction, 'Predict', request, 100);
      // grpc-js ends it on whichever side's timer fires first: the client's ("Deadline exceeded
      // after …") or the server transport's, which got the same deadline ("Deadline exceeded").
      // Either way the model's answer is never waited for.
      expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(error.details).toMatch(/^Deadline exceeded( after |$)/);
      expect(Date.now() - started).toBeLessThan(2000);
      const ok = await call(prediction, 'Predict', request, 5000);
      expect(ok.outputs.y.float_val).toEqual([3]);
    } finally {
      prediction.close();
    }
  });

  describe('deadlines the server enforces (the client sets none of its own)', () => {
    let prediction: ReturnType<typeof makeClient>;
    const request = (name: string) => ({
      model_spec: { name },
      inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }] }, float_val: [3] } },
    });

    beforeAll(() => {
      prediction = predictionClient(serving.grpcAddress!);
    });

    afterAll(() => prediction?.close());

    it('answers DEADLINE_EXCEEDED itself when the deadline passes while the model holds the event loop', async () => {
      // No timer can fire while the model runs, so only the check after the run sees it.
      const started = Date.now();
      expect(await callWithServerDeadline(prediction, request('blocking'), 100)).toEqual({
        code: GrpcStatus.DEADLINE_EXCEEDED,
        details: 'Deadline exceeded while the model ran',
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      expect(await callWithServerDeadline(prediction, request('blocking'), 5000)).toEqual({
        code: GrpcStatus.OK,
        details: '',
      });
    });

    it('is ended by the gRPC server at the deadline when the model waits without blocking', async () => {
      // grpc-js's own server-side timer answers first, with its wording, long before the model.
      const started = Date.now();
      expect(await callWithServerDeadline(prediction, request('slow'), 100)).toEqual({
        code: GrpcStatus.DEADLINE_EXCEEDED,
        details: 'Deadline exceeded',
      });
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
