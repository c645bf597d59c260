import { Logger, type LoggerService } from '@nestjs/common';
import { type ResolvedModelServingOptions } from '../config/resolve-options.js';
import { ExecutorPlugin } from '../models/executor-plugin.js';
import { type ModelExecutor } from '../models/model.executor.js';
import { type LoadContext, type ModelLoader } from '../models/model.loader.js';
import { WorkerExecutor } from './worker-executor.js';
import { isWorkerLoadable, type WorkerLoad } from './worker-load.js';
import { WorkerPool } from './worker-pool.js';

/**
 * Runs inference in a pool of worker threads, one engine per worker: `create` reads (and for
 * SavedModels translates) the version once on the main thread, loads it in every worker and
 * answers a proxy executor. Versions the loader cannot hand to workers (a custom loader without
 * `workerModule`, a SavedModel loader with custom ops or a parser but no `workerModule`, the
 * native `tensorflow` SavedModel path) are left to the loader, on the main thread; the log says
 * so once per format.
 */
export class WorkerPoolPlugin extends ExecutorPlugin {
  readonly name = 'worker-pool';
  private pool?: WorkerPool;
  private readonly toldInProcess = new Set<string>();

  constructor(
    /** Worker threads (at least 1). */
    readonly workers: number,
    private readonly logger: LoggerService = new Logger('ModelServingWorkers'),
  ) {
    super();
  }

  /** The pool, once a version has been loaded in it (status, tests). */
  get workerPool(): WorkerPool | undefined {
    return this.pool;
  }

  override async create(
    loader: ModelLoader,
    context: LoadContext,
  ): Promise<ModelExecutor | undefined> {
    const load = await this.describe(loader, context);
    if (!load) {
      if (!this.toldInProcess.has(loader.format)) {
        this.toldInProcess.add(loader.format);
        this.logger.log(
          `'${loader.format}' versions its loader cannot hand to worker threads (a custom loader without workerModule, custom ops or parsers without workerModule, the native tensorflow SavedModel path) run on the main thread`,
        );
      }
      return undefined;
    }
    this.pool ??= new WorkerPool(this.workers, this.logger);
    const version = await this.pool.load(load, portableContext(context));
    this.logger.log(
      `model '${context.modelName}' version ${context.version} runs in ${this.pool.holders(version.key)} worker threads on ${version.backend}`,
    );
    return new WorkerExecutor(
      this.pool,
      version,
      'engineNote' in load ? load.engineNote : undefined,
    );
  }

  override async close(): Promise<void> {
    await this.pool?.close();
  }

  private describe(loader: ModelLoader, context: LoadContext): Promise<WorkerLoad | undefined> {
    if (loader.workerModule) {
      return Promise.resolve({ engine: 'module', module: { ...loader.workerModule } });
    }
    if (isWorkerLoadable(loader)) return loader.prepareWorkerLoad(context, this);
    return Promise.resolve(undefined);
  }
}

/** The context as plain data (a caller's object may carry more than structured cloning takes). */
function portableContext(context: LoadContext): LoadContext {
  return {
    modelName: context.modelName,
    version: context.version,
    directory: context.directory,
    files: [...context.files],
    backend: context.backend,
    ...(context.engine === undefined ? {} : { engine: context.engine }),
    ...(context.enableModelWarmup === undefined
      ? {}
      : { enableModelWarmup: context.enableModelWarmup }),
  };
}

/**
 * The worker-pool plug-in the options ask for: `workers` threads, or undefined with
 * `workers: 0` (inference on the main thread).
 */
export function createWorkerPoolPlugin(
  options: Pick<ResolvedModelServingOptions, 'workers'>,
  logger?: LoggerService,
): ExecutorPlugin | undefined {
  if (options.workers <= 0) return undefined;
  return new WorkerPoolPlugin(options.workers, logger);
}
