import { Logger, type LoggerService } from '@nestjs/common';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { InferenceObserver, type InferenceRecord } from '../models/inference-observer.js';

/** Options of {@link RequestLogObserver}. @publicApi */
export interface RequestLogOptions {
  /** The share of successful calls logged, 0–1; failures are always logged. @defaultValue 1 */
  readonly sampleRate?: number;
  /** @defaultValue `new Logger('ModelServingRequests')` */
  readonly logger?: LoggerService;
  /** @defaultValue `Math.random` */
  readonly random?: () => number;
}

/**
 * One structured JSON line per finished call, through Nest's Logger (so any logger the app
 * installs, pino included, receives it): request id, model, version, signature, protocol,
 * method, status, latency, queue wait, engine time and batch size. Successful calls are
 * sampled at `sampleRate`; failures are always logged, at WARN.
 * @publicApi
 */
export class RequestLogObserver extends InferenceObserver {
  private readonly logger: LoggerService;
  private readonly sampleRate: number;
  private readonly random: () => number;

  constructor(options: RequestLogOptions = {}) {
    super();
    this.logger = options.logger ?? new Logger('ModelServingRequests');
    this.sampleRate = Math.min(1, Math.max(0, options.sampleRate ?? 1));
    this.random = options.random ?? Math.random;
  }

  observe(record: InferenceRecord): void {
    const ok = record.code === GrpcStatusCode.OK;
    if (ok && this.sampleRate < 1 && this.random() >= this.sampleRate) return;
    const line = JSON.stringify({
      requestId: record.requestId,
      model: record.model,
      version: record.version,
      signature: record.signature,
      protocol: record.protocol,
      method: record.method,
      status: GrpcStatusCode[record.code],
      latencyMs: round(record.totalMs),
      queueWaitMs: round(record.queueWaitMs),
      runMs: round(record.runMs),
      batchSize: record.batchSize,
    });
    if (ok) this.logger.log(line);
    else this.logger.warn(line);
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
