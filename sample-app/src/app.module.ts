import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { type AuthOptions, ModelServingModule } from 'nest-model-serving';
import { IrisController } from './iris/iris.controller.js';
import { MODELS_DIR } from './models-dir.js';

export interface AppModuleOptions {
  /** API keys that may call every model (predict, metadata, status); `false` turns auth off. */
  apiKeys: readonly string[] | false;
  /** Where half_plus_two's prediction logs go; `false` turns them off. */
  predictionLogDir: string | false;
}

@Module({})
export class AppModule {
  static forRoot({ apiKeys, predictionLogDir }: AppModuleOptions): DynamicModule {
    const auth: AuthOptions | undefined = apiKeys
      ? { apiKeys: apiKeys.map((key, i) => ({ id: `demo-${i}`, key })) }
      : undefined;
    return {
      module: AppModule,
      imports: [
        ModelServingModule.forRoot({
          models: [
            {
              name: 'half_plus_two',
              basePath: join(MODELS_DIR, 'half_plus_two'),
              // One call in ten written as a TF Serving PredictionLog (replayable as warm-up).
              ...(predictionLogDir && {
                predictionLog: {
                  filenamePrefix: join(predictionLogDir, 'half_plus_two'),
                  samplingRate: 0.1,
                },
              }),
            },
            { name: 'mlp_onnx', basePath: join(MODELS_DIR, 'mlp_onnx') },
          ],
          auth,
          // The production edges, on: Prometheus metrics at TF Serving's path, a JSON line per
          // call, dynamic batching tuned at load; probes at /healthz and /readyz by default.
          metrics: { enabled: true },
          requestLog: { sampleRate: 1 },
          batching: true,
          grpc: { enabled: true },
        }),
      ],
      controllers: [IrisController],
    };
  }
}
