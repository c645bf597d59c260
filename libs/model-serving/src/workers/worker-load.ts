import { type OnnxWorkerLoad } from '../engines/onnx/onnx.loader.js';
import { type SavedModelWorkerLoad } from '../engines/saved-model/saved-model-artifacts.js';
import { type SavedModelOnnxWorkerLoad } from '../engines/saved-model/saved-model.loader.js';
import { type TfjsWorkerLoad } from '../engines/tfjs/tfjs.loader.js';
import {
  type LoadContext,
  type ModelLoader,
  type WorkerModuleSpec,
} from '../models/model.loader.js';

/**
 * A version as the worker threads rebuild it: plain data that survives structured cloning, read
 * (and for SavedModels translated) once on the main thread and sent to every worker.
 */
export type WorkerLoad =
  | TfjsWorkerLoad
  | SavedModelWorkerLoad
  | SavedModelOnnxWorkerLoad
  | OnnxWorkerLoad
  | { readonly engine: 'module'; readonly module: WorkerModuleSpec };

/** What a loader is told of the pool it prepares a version for. */
export interface WorkerPoolShape {
  /** Threads the version will be loaded in. */
  readonly workers: number;
}

/**
 * A built-in loader that can describe a version as portable data. Answers undefined when this
 * version (or this loader's options) cannot run in workers: it then loads on the main thread.
 */
export interface WorkerLoadable {
  prepareWorkerLoad(context: LoadContext, pool: WorkerPoolShape): Promise<WorkerLoad | undefined>;
}

/** Whether the loader implements {@link WorkerLoadable}. */
export function isWorkerLoadable(loader: ModelLoader): loader is ModelLoader & WorkerLoadable {
  return typeof (loader as Partial<WorkerLoadable>).prepareWorkerLoad === 'function';
}
