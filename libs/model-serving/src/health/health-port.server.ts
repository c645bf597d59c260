import { Worker } from 'node:worker_threads';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type HealthIndicatorResult } from '@nestjs/terminus';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { ModelRegistry } from '../models/model.registry.js';
import { resolveBuiltScript } from '../workers/worker-script.js';
import { EventLoopHealthIndicator } from './event-loop.indicator.js';
import {
  type HealthPortAnswer,
  type HealthPortStarted,
  type HealthPortWorkerData,
} from './health-port.protocol.js';
import { ModelHealthIndicator } from './model-health.indicator.js';

/** The injection token of {@link HealthPortOptions}. */
export const HEALTH_PORT_OPTIONS = Symbol('MODEL_SERVING_HEALTH_PORT_OPTIONS');

/** Where the probes' own listener binds, and their paths. */
export interface HealthPortOptions {
  /** 0 picks a free port (read it back from {@link HealthPortServer.port}). */
  readonly port: number;
  /** @defaultValue Node's default: every interface */
  readonly host?: string;
  readonly livenessPath: string;
  readonly readinessPath: string;
}

/** How often the main thread posts the probes' answers (ms). */
const PUBLISH_MS = 100;

/**
 * Terminus's body (`{ status, info, error, details }`) and status code for indicator entries,
 * as the probe controller answers them on the main port.
 */
export function probeAnswer(
  entries: HealthIndicatorResult,
  { shuttingDown }: { shuttingDown: boolean },
): HealthPortAnswer {
  const info: HealthIndicatorResult = {};
  const error: HealthIndicatorResult = {};
  for (const [key, entry] of Object.entries(entries)) {
    (entry.status === 'up' ? info : error)[key] = entry;
  }
  const down = Object.keys(error).length > 0;
  const status = shuttingDown ? 'shutting_down' : down ? 'error' : 'ok';
  const body = JSON.stringify({ status, info, error, details: entries });
  return { code: status === 'ok' ? 200 : 503, body };
}

/**
 * The Kubernetes probes on a port of their own, answered by a worker thread (`health.port`), so
 * that a probe's latency does not depend on how busy the main thread is: the main thread posts
 * both answers every 100 ms (the same entries as `/healthz` and `/readyz` on the main port), and
 * the worker answers 503 to both once the main thread has been silent for longer than
 * `maxEventLoopLagMs`. Started when the application boots, stopped once it has shut down (it
 * keeps answering through the drain, readiness `shutting_down`).
 * @publicApi
 */
@Injectable()
export class HealthPortServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ModelServingHealth');
  private readonly stamp = new Float64Array(new SharedArrayBuffer(8));
  private worker?: Worker;
  private timer?: NodeJS.Timeout;
  private boundPort?: number;

  constructor(
    @Inject(HEALTH_PORT_OPTIONS) private readonly options: HealthPortOptions,
    private readonly models: ModelHealthIndicator,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly registry: ModelRegistry,
  ) {}

  /** The bound port, once the application has booted. */
  get port(): number | undefined {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const script = resolveBuiltScript(import.meta.url, 'health-port.worker.js', 'health.port');
    const workerData: HealthPortWorkerData = {
      ...this.options,
      maxLagMs: this.eventLoop.maxLagMs,
      stamp: this.stamp.buffer,
    };
    const worker = new Worker(script, { workerData });
    this.worker = worker;
    this.publish();
    const started = await new Promise<HealthPortStarted>((resolve) => {
      worker.once('message', resolve);
      worker.once('error', (error) => resolve({ error: error.message }));
    });
    if ('error' in started) {
      await worker.terminate();
      this.worker = undefined;
      throw new ModelServingConfigError(
        `health.port ${this.options.port}: cannot listen: ${started.error}`,
      );
    }
    this.boundPort = started.listening;
    // Neither the worker nor the timer holds the process open: the servers and the drain do.
    worker.unref();
    this.timer = setInterval(() => this.publish(), PUBLISH_MS);
    this.timer.unref();
    this.logger.log(
      `Health probes also on port ${started.listening} (a worker thread): ${this.options.livenessPath}, ${this.options.readinessPath}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private publish(): void {
    this.stamp[0] = Date.now();
    this.worker?.postMessage({
      liveness: probeAnswer(this.eventLoop.check(), { shuttingDown: false }),
      readiness: probeAnswer(this.models.check(), { shuttingDown: this.registry.closing }),
    });
  }
}
