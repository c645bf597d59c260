import { readdir } from 'node:fs/promises';
import { type Logger } from '@nestjs/common';
import { type BackendName, type SavedModelEngine } from './model.loader.js';
import { type ResolvedModelConfig } from '../config/resolve-options.js';
import { IncompleteVersionError } from '../errors/incomplete-version.error.js';
import { type ExecutorPlugin } from './executor-plugin.js';
import { ensureKernels } from './kernel-check.js';
import { type ModelExecutor } from './model.executor.js';
import { type LoadContext, type ModelLoader } from './model.loader.js';

/** How each built-in platform's files are named in messages. */
const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  tensorflow: 'a SavedModel',
  tfjs: 'a TensorFlow.js model',
  onnx: 'an ONNX model',
};

/** What the load pipeline needs: the formats, the plug-ins, and the engine options. */
export interface VersionLoaderSettings {
  readonly loaders: readonly ModelLoader[];
  readonly plugins: readonly ExecutorPlugin[];
  /** Loaders whose versions get the kernel check on zeros. */
  readonly checkedOnZeros?: ReadonlySet<ModelLoader>;
  readonly backend: BackendName;
  /** What runs SavedModel versions of models that do not say. @defaultValue 'auto' */
  readonly savedModelEngine?: SavedModelEngine;
  readonly enableModelWarmup?: boolean;
  readonly logger: Logger;
}

/**
 * The load pipeline of one version, the same for every format: the first loader that
 * recognises the files → build (a plug-in such as the worker pool, else the loader) → wrap
 * (batching) → the loader's warm-up through the wrapped executor (as TF Serving warms up its
 * batching session) → the kernel check on zeros (built-in engines). Whatever fails disposes what was built.
 */
export class VersionLoader {
  constructor(private readonly settings: VersionLoaderSettings) {}

  /** Loads `directory` as version `version` of `config`'s model, ready to serve. */
  async load(
    config: ResolvedModelConfig,
    version: number,
    directory: string,
  ): Promise<ModelExecutor> {
    const files = await readdir(directory).catch(() => [] as string[]);
    const context: LoadContext = {
      modelName: config.name,
      version,
      directory,
      files,
      backend: this.settings.backend,
      engine: config.engine ?? this.settings.savedModelEngine ?? 'auto',
      enableModelWarmup: this.settings.enableModelWarmup,
    };
    const loader = await this.detect(context, config.platform);
    let executor = await this.build(loader, context);
    try {
      for (const plugin of this.settings.plugins) {
        if (plugin.wrap) executor = await plugin.wrap(executor, context, config);
      }
      await loader.warmup?.(context, executor);
      if (this.settings.checkedOnZeros?.has(loader)) {
        await ensureKernels(
          executor,
          context.backend,
          `model '${config.name}' version ${version}`,
          this.settings.logger,
        );
      }
    } catch (error) {
      await Promise.resolve(executor.dispose()).catch(() => undefined);
      throw error;
    }
    return executor;
  }

  private async detect(context: LoadContext, platform?: string): Promise<ModelLoader> {
    for (const loader of this.settings.loaders) {
      if (platform !== undefined && loader.platform !== platform) continue;
      if (await loader.detect(context)) return loader;
    }
    if (platform !== undefined) {
      throw new IncompleteVersionError(
        `model '${context.modelName}' version ${context.version}: its model_platform is "${platform}", and its files are not ${PLATFORM_NAMES[platform] ?? `a ${platform} model`} (${context.files.length ? context.files.join(', ') : 'empty directory'})`,
      );
    }
    throw new IncompleteVersionError(
      `model '${context.modelName}' version ${context.version}: no loader recognises its files (${context.files.length ? context.files.join(', ') : 'empty directory'})`,
    );
  }

  private async build(loader: ModelLoader, context: LoadContext): Promise<ModelExecutor> {
    for (const plugin of this.settings.plugins) {
      const built = await plugin.create?.(loader, context);
      if (built) return built;
    }
    return loader.load(context);
  }
}
