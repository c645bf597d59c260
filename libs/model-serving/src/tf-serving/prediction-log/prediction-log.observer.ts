import { Logger } from '@nestjs/common';
import { type ResolvedModelConfig } from '../../config/resolve-options.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { InferenceObserver, type InferenceRecord } from '../../models/inference-observer.js';
import { encodePredictionLog } from './prediction-log.encoder.js';
import { PredictionLogFile } from './prediction-log.file.js';

type LogConfig = NonNullable<ResolvedModelConfig['predictionLog']>;

/**
 * TF Serving's request logging (`logging_config`): a `samplingRate` share of each configured
 * model's successful predict, classify, regress and MultiInference calls, whatever protocol
 * asked (not warm-up), written as `PredictionLog`s to the model's TFRecord file. Records are
 * encoded after the answer has gone, off the call's path; one over `maxRecordBytes` is skipped,
 * said once per model.
 * @publicApi
 */
export class PredictionLogObserver extends InferenceObserver {
  private readonly files = new Map<string, PredictionLogFile>();
  private readonly oversized = new Set<string>();
  /** Records not yet encoded, each with its scheduled turn. */
  private readonly pending = new Map<NodeJS.Immediate, () => void>();
  private readonly logger = new Logger('ModelServing');
  private closed = false;

  /**
   * @param configOf - the model's log config, read per call (a config reload may change it)
   * @param random - a number in [0, 1) per call, compared with the rate
   */
  constructor(
    private readonly configOf: (model: string) => LogConfig | undefined,
    private readonly random: () => number = Math.random,
  ) {
    super();
  }

  observe(record: InferenceRecord): void {
    const { exchange } = record;
    if (!exchange || record.code !== GrpcStatusCode.OK || record.protocol === 'warmup') return;
    if (this.closed) return;
    const config = this.configOf(record.model);
    if (!config || !(this.random() < config.samplingRate)) return;
    const at = Date.now();
    const job = () => {
      try {
        this.write(record.model, config, encodePredictionLog(exchange, config.samplingRate, at));
      } catch (error) {
        // Off the call's path nothing may throw: an uncaught error would end the process.
        this.logger.error(
          `Prediction log of model '${record.model}': a sampled call could not be logged: ${String(error)}`,
        );
      }
    };
    const turn = setImmediate(() => {
      this.pending.delete(turn);
      job();
    });
    this.pending.set(turn, job);
  }

  /** The files written so far, by prefix (their paths, once opened, and record counts). */
  logFiles(): ReadonlyMap<string, Pick<PredictionLogFile, 'path' | 'paths' | 'written'>> {
    return this.files;
  }

  /** Writes the records still waiting, then flushes and closes every file. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [turn, job] of this.pending) {
      clearImmediate(turn);
      job();
    }
    this.pending.clear();
    await Promise.all([...this.files.values()].map((file) => file.close()));
  }

  private write(model: string, config: LogConfig, bytes: Uint8Array): void {
    if (bytes.length > config.maxRecordBytes) {
      if (!this.oversized.has(model)) {
        this.oversized.add(model);
        this.logger.warn(
          `Prediction log of model '${model}': a sampled call of ${bytes.length} bytes is over maxRecordBytes (${config.maxRecordBytes}) and is not logged (nor, without a word, later ones over it)`,
        );
      }
      return;
    }
    let file = this.files.get(config.filenamePrefix);
    if (!file)
      this.files.set(
        config.filenamePrefix,
        (file = new PredictionLogFile(config.filenamePrefix, config.maxFileBytes)),
      );
    file.write(bytes);
  }
}
