import { type ResolvedModelConfig } from '../config/resolve-options.js';
import { type ModelExecutor } from './model.executor.js';
import { type LoadContext, type ModelLoader } from './model.loader.js';

/**
 * A stage of the load pipeline that plug-ins (worker pool, batching) provide; the module hands
 * them to the registry, which runs every version through them in order:
 * `create` (the first plug-in that builds the executor wins, else `loader.load`) → `wrap` (each
 * plug-in in turn) → the loader's warm-up → the kernel check → AVAILABLE.
 */
export abstract class ExecutorPlugin {
  /** Short name for logs. */
  abstract readonly name: string;

  /**
   * Builds the version's executor in place of `loader.load` (the worker pool loads it in its
   * threads); undefined leaves it to the next plug-in, then to the loader itself.
   */
  create?(loader: ModelLoader, context: LoadContext): Promise<ModelExecutor | undefined>;

  /** Wraps the built executor (the batching queue); returns it unchanged when not concerned. */
  wrap?(
    executor: ModelExecutor,
    context: LoadContext,
    config: ResolvedModelConfig,
  ): Promise<ModelExecutor>;

  /** Releases what the plug-in holds (threads, timers) once every model has unloaded. */
  close?(): Promise<void>;
}

/** What the registry loads with: every format (users' first, built-in last) and the plug-ins. */
export interface ServingPipeline {
  readonly loaders: readonly ModelLoader[];
  readonly plugins: readonly ExecutorPlugin[];
  /**
   * The loaders whose versions run every signature once on zero-filled inputs before they are
   * AVAILABLE (the built-in engines); a custom loader's executor is never run unasked.
   */
  readonly checkedOnZeros?: ReadonlySet<ModelLoader>;
}
