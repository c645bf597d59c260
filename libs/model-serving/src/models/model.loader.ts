import { type BackendName } from '../config/model-serving-options.interface.js';
import { type ModelExecutor } from './model.executor.js';

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
  /**
   * Whether the version's warm-up requests are replayed before it becomes available (the
   * `enableModelWarmup` option). @defaultValue true
   */
  readonly enableModelWarmup?: boolean;
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

  /** Whether the directory's files look like this loader's format. */
  abstract detect(context: LoadContext): boolean | Promise<boolean>;

  /** Loads the version; the executor it returns is disposed when the version unloads. */
  abstract load(context: LoadContext): Promise<ModelExecutor>;
}
