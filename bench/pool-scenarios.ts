// The engines through the library's worker pool, in the bench process, with no HTTP: a Nest
// application context with `ModelServingModule` (the built library, as users import it) and
// `workers: 1` or one worker per core; `ModelHandle.predict` calls from twice as many loops as
// workers, so every worker stays busy. Next to `a raw …`, this is what the pool costs and how
// far it scales once no request has to be parsed.
import 'reflect-metadata';
import { type INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  InjectModel,
  type ModelHandle,
  ModelServingModule,
} from '../libs/model-serving/dist/index.js';
import {
  BENCH_INPUT,
  BENCH_MODELS,
  benchInput,
  type BenchModelName,
} from '../scripts/sample-models/bench-models.js';
import { basePath, type Context, reason } from './context.js';
import { loop } from './measure.js';
import { SERVED_BATCH } from './raw-scenarios.js';
import { workerCounts } from './worker-scenarios.js';

const POOL_MODELS = ['mlp_tfjs', 'cnn_tfjs', 'mlp_onnx', 'cnn_onnx'] as const;
const LABEL: Record<BenchModelName, string> = {
  mlp_tfjs: 'tfjs-wasm mlp',
  mlp_onnx: 'onnx mlp',
  cnn_tfjs: 'tfjs-wasm cnn',
  cnn_onnx: 'onnx cnn',
};

/** The models' handles, injected as an application's own provider gets them. */
@Injectable()
class PoolModels {
  constructor(
    @InjectModel('mlp_tfjs') readonly mlp_tfjs: ModelHandle,
    @InjectModel('cnn_tfjs') readonly cnn_tfjs: ModelHandle,
    @InjectModel('mlp_onnx') readonly mlp_onnx: ModelHandle,
    @InjectModel('cnn_onnx') readonly cnn_onnx: ModelHandle,
  ) {}
}

/** The row name of a run through the pool. */
export const poolName = (model: BenchModelName, workers: number): string =>
  `a pool ${LABEL[model]} b${SERVED_BATCH} workers=${workers}`;

export async function poolScenarios(ctx: Context): Promise<void> {
  console.log('a. the engines through the worker pool, in-process (no HTTP)');
  for (const workers of workerCounts()) {
    let app: INestApplicationContext | undefined;
    try {
      const imports = [
        ModelServingModule.forRoot({
          models: POOL_MODELS.map((name) => ({ name, basePath: basePath(ctx, name) })),
          backend: 'wasm',
          workers,
        }),
      ];
      class PoolBench {}
      Module({ imports, providers: [PoolModels] })(PoolBench);
      app = await NestFactory.createApplicationContext(PoolBench, { logger: ['error', 'warn'] });
    } catch (error) {
      for (const model of POOL_MODELS) ctx.results.skip(poolName(model, workers), reason(error));
      continue;
    }
    try {
      const handles = app.get(PoolModels);
      for (const model of POOL_MODELS) {
        const handle = handles[model];
        const shape = [SERVED_BATCH, ...BENCH_MODELS[model].inputShape];
        const data = benchInput(model, SERVED_BATCH);
        const task = () => handle.predict({ [BENCH_INPUT]: { dtype: 'float32', shape, data } });
        try {
          await handle.predict({ [BENCH_INPUT]: { dtype: 'float32', shape, data } });
          const calls = await loop(task, ctx.durations.rawSeconds * 2, 2 * workers, 10);
          ctx.results.add(
            poolName(model, workers),
            { ...calls, perSecond: calls.perSecond * SERVED_BATCH },
            {
              unit: 'samples/s',
              batch: SERVED_BATCH,
              clients: 2 * workers,
              note: 'ModelHandle.predict, p50/p99 per call',
            },
          );
        } catch (error) {
          ctx.results.skip(poolName(model, workers), reason(error));
        }
      }
    } finally {
      await app.close();
    }
  }
}
