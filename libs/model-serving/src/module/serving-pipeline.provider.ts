import { Logger, type Provider } from '@nestjs/common';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { OnnxModelLoader } from '../engines/onnx/onnx.loader.js';
import { SavedModelLoader } from '../engines/saved-model/saved-model.loader.js';
import { TfjsModelLoader } from '../engines/tfjs/tfjs.loader.js';
import { createBatchingPlugin } from '../batching/batching.plugin.js';
import { type ExecutorPlugin, type ServingPipeline } from '../models/executor-plugin.js';
import { createWorkerPoolPlugin } from '../workers/worker-pool.plugin.js';
import {
  MODEL_SERVING_PIPELINE,
  MODEL_SERVING_RESOLVED_OPTIONS,
} from './model-serving.constants.js';

/** The pipeline from the options: users' loaders before the built-in formats, then the plug-ins. */
export function createServingPipeline(options: ResolvedModelServingOptions): ServingPipeline {
  // The pool builds executors in its threads; batching then wraps whatever was built.
  const workers = createWorkerPoolPlugin(options, new Logger('ModelServingWorkers'));
  const plugins: ExecutorPlugin[] = [...(workers ? [workers] : []), createBatchingPlugin(options)];
  const builtIn = [new TfjsModelLoader(), new SavedModelLoader(), new OnnxModelLoader()];
  return { loaders: [...options.loaders, ...builtIn], plugins, checkedOnZeros: new Set(builtIn) };
}

/** Provides `MODEL_SERVING_PIPELINE` from the resolved options. */
export const servingPipelineProvider: Provider = {
  provide: MODEL_SERVING_PIPELINE,
  useFactory: createServingPipeline,
  inject: [MODEL_SERVING_RESOLVED_OPTIONS],
};
