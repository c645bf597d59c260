import { Logger, type LoggerService } from '@nestjs/common';
import { type BatchingOptions } from '../config/model-serving-options.interface.js';
import {
  type ResolvedModelConfig,
  type ResolvedModelServingOptions,
} from '../config/resolve-options.js';
import { ExecutorPlugin } from '../models/executor-plugin.js';
import { type ModelExecutor } from '../models/model.executor.js';
import { type LoadContext } from '../models/model.loader.js';
import { autoTuneBatching } from './batching-auto-tune.js';
import { type BatchingParameters, resolveBatchingParameters } from './batching-parameters.js';
import { BatchingExecutor } from './batching.executor.js';

/**
 * Wraps each version's executor in a `BatchingExecutor` when its model batches: the model's
 * own `batching`, else the module's. `true` measures the executor at load (batch 1, 8, 32, 128
 * on zeros) and picks the parameters from that cost curve; an object gives them (TF Serving's
 * `BatchingParameters`). What was chosen is logged per version.
 */
export class BatchingPlugin extends ExecutorPlugin {
  readonly name = 'batching';

  constructor(
    private readonly defaults: boolean | BatchingOptions,
    /** Batches that truly run at once behind the executor (the worker threads). */
    private readonly parallelism: number,
    private readonly logger: LoggerService = new Logger('ModelServing'),
  ) {
    super();
    // A bad module-level setting fails boot, naming the field.
    if (typeof defaults === 'object') resolveBatchingParameters(defaults, 'batching');
  }

  override async wrap(
    executor: ModelExecutor,
    context: LoadContext,
    config: ResolvedModelConfig,
  ): Promise<ModelExecutor> {
    const setting = config.batching ?? this.defaults;
    if (setting === false) return executor;
    const where = `model '${context.modelName}' version ${context.version}`;
    let parameters: BatchingParameters;
    if (setting === true) {
      const tuned = await autoTuneBatching(executor, { parallelism: this.parallelism });
      if (!tuned) {
        this.logger.log(`${where}: no signature can batch, so requests run one by one`);
        return executor;
      }
      parameters = resolveBatchingParameters(tuned.options, `${where} batching`);
      const curve = tuned.curve.map((p) => `${p.batchSize}: ${p.batchMs.toFixed(2)} ms`).join(', ');
      this.logger.log(
        `${where} batching picked from its cost curve on '${tuned.signature}' (${curve}): ${describe(parameters)}`,
      );
    } else {
      const field = config.batching === undefined ? 'batching' : `model ${config.name} batching`;
      parameters = resolveBatchingParameters(setting, field);
      this.logger.log(`${where} batching: ${describe(parameters)}`);
    }
    return new BatchingExecutor(executor, {
      model: context.modelName,
      version: context.version,
      parameters,
      logger: this.logger,
    });
  }
}

/** TF Serving's names for the parameters in force. */
function describe(p: BatchingParameters): string {
  return [
    `max_batch_size=${p.maxBatchSize}`,
    `batch_timeout_micros=${p.batchTimeoutMicros}`,
    `max_enqueued_batches=${p.maxEnqueuedBatches}`,
    `num_batch_threads=${p.numBatchThreads}`,
    ...(p.allowedBatchSizes.length
      ? [`allowed_batch_sizes=[${p.allowedBatchSizes.join(',')}]`]
      : []),
    ...(p.padVariableLengthInputs ? ['pad_variable_length_inputs=true'] : []),
  ].join(' ');
}

/**
 * The batching plug-in the options ask for: undefined when neither the module nor any model
 * batches. Models added later (`@Servable`, a config file) with their own `batching` are
 * batched too, so the plug-in is present whenever a config names batching.
 */
export function createBatchingPlugin(
  options: Pick<ResolvedModelServingOptions, 'batching' | 'workers' | 'models'>,
  logger?: LoggerService,
): ExecutorPlugin {
  return new BatchingPlugin(options.batching, Math.max(1, options.workers), logger);
}
