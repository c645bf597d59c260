import { type ModelExecutor } from './model.executor.js';

/** Engine choice. `auto` tries tfjs-node-gpu, tfjs-node, then WASM, then CPU. @publicApi */
export type BackendName = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

/**
 * What runs a TensorFlow SavedModel: `onnx` its translation to ONNX on ONNX Runtime (the load
 * fails when an op does not translate), `tfjs` TensorFlow.js, `auto` ONNX Runtime when it is
 * installed and every op of every signature translates, else TensorFlow.js.
 * @publicApi
 */
export type SavedModelEngine = 'auto' | 'onnx' | 'tfjs';

/** What a loader knows about the directory it is asked to load. @publicApi */
export interface LoadContext {
  readonly modelName: string;
  readonly version: number;
  /** Absolute path of the version directory. */
  readonly directory: string;
  /** Names of the entries directly inside the directory. */
  readonly files: readonly string[];
  /** The engine the options ask for (the active tfjs backend is already selected). */
  readonly backend: BackendName;
  /** What runs a SavedModel version (the model's `engine`, else the module's). @defaultValue 'auto' */
  readonly engine?: SavedModelEngine;
  /**
   * Whether the version's warm-up requests are replayed before it becomes available (the
   * `enableModelWarmup` option). @defaultValue true
   */
  readonly enableModelWarmup?: boolean;
}

/**
 * How a worker thread rebuilds a loader that is not built in: it imports `path` (an absolute
 * path or a `file:` URL of a JavaScript module), constructs `new module[export](options)` and
 * calls its `load` on the same `LoadContext`. `options` must survive structured cloning
 * (plain data: no functions, no class instances).
 * @publicApi
 */
export interface WorkerModuleSpec {
  readonly path: string;
  readonly export: string;
  readonly options?: unknown;
}

/**
 * Turns a version directory of one format into a ready executor. Loaders are tried in order;
 * the first whose `detect` answers true loads the version. Register more with the `loaders`
 * option. Throw `IncompleteVersionError` when the directory is still being written (it is
 * retried on later polls) and `ModelLoadError` when it is broken.
 * @publicApi
 */
export abstract class ModelLoader {
  /** Short name of the format, e.g. `tfjs-graph-model`, shown in logs. */
  abstract readonly format: string;

  /**
   * The `model_platform` this loader serves (`tensorflow`, `tfjs`, `onnx`): a model pinned to a
   * platform loads only with loaders of that platform. Custom loaders may leave it out.
   */
  readonly platform?: string;

  /** Whether the directory's files look like this loader's format. */
  abstract detect(context: LoadContext): boolean | Promise<boolean>;

  /** Loads the version; the executor it returns is disposed when the version unloads. */
  abstract load(context: LoadContext): Promise<ModelExecutor>;

  /**
   * Optional: warms the version up through the executor that will serve it (batching and
   * workers included) before it becomes AVAILABLE; a throw fails the load. SavedModels replay
   * their `tf_serving_warmup_requests` here.
   */
  warmup?(context: LoadContext, executor: ModelExecutor): Promise<void>;

  /**
   * Optional: how worker threads rebuild this loader, so its versions run in the worker pool
   * (the `workers` option); each worker then loads the version itself. Without it, a custom
   * loader's versions run on the main thread (said once in the log).
   */
  readonly workerModule?: WorkerModuleSpec;
}
