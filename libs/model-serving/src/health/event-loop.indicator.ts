import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { performance } from 'node:perf_hooks';
import { MODEL_SERVING_RESOLVED_OPTIONS } from '../module/model-serving.constants.js';

/** Key of the liveness entry. */
export const EVENT_LOOP_HEALTH_KEY = 'eventLoop';

/**
 * Default liveness threshold (ms). A liveness failure restarts the pod, so only a loop that is
 * truly stuck should fail it: a large JSON body parsed on the main thread, a synchronous model
 * load or a major GC pause on a big heap can each stall it for a second or two and the process
 * is still healthy. 5 s is well past those, and a loop stalling that long cannot serve anyway.
 */
export const DEFAULT_MAX_EVENT_LOOP_LAG_MS = 5000;

/** How often the sampler's timer asks to run (ms); how late it runs is the lag. */
const SAMPLE_MS = 100;

/** The lag reported is the worst delay over the last one to two windows (ms). */
const WINDOW_MS = 5000;

/** The options read: `maxEventLoopLagMs` (ms), above which liveness fails. */
export interface EventLoopHealthOptions {
  readonly maxEventLoopLagMs?: number;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * Liveness: the process answers and its event loop is not stuck. A timer drift sampler runs
 * from module init until the app has shut down (so it keeps measuring through the drain): a
 * 100 ms timer, unref'd, whose lateness is the loop's delay. The entry reports the worst delay
 * of the last 5-10 s and is down past `maxEventLoopLagMs`. No inference runs here.
 * @publicApi
 */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleInit, OnApplicationShutdown {
  /** Liveness threshold (ms). */
  readonly maxLagMs: number;
  private sampler?: NodeJS.Timeout;
  /** When the sampler last ran (`performance.now()`, ms). */
  private lastSampleAt = 0;
  private windowStartedAt = 0;
  /** Worst delay of the current window, and of the one before (ms). */
  private windowMaxMs = 0;
  private previousMaxMs = 0;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Optional()
    @Inject(MODEL_SERVING_RESOLVED_OPTIONS)
    options?: EventLoopHealthOptions,
  ) {
    this.maxLagMs = options?.maxEventLoopLagMs ?? DEFAULT_MAX_EVENT_LOOP_LAG_MS;
  }

  onModuleInit(): void {
    if (this.sampler) return;
    this.lastSampleAt = this.windowStartedAt = performance.now();
    this.sampler = setInterval(() => this.sample(), SAMPLE_MS);
    this.sampler.unref();
  }

  /**
   * Stops sampling only once the servers closed: `onModuleDestroy` runs before the drain
   * (`beforeApplicationShutdown`), during which liveness must keep answering with a measure.
   */
  onApplicationShutdown(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /**
   * Worst event-loop delay of the last 5-10 s (ms), counting a stall that just ended and
   * that the sampler has not run since.
   */
  get lagMs(): number {
    if (!this.sampler) return 0;
    const pending = performance.now() - this.lastSampleAt - SAMPLE_MS;
    return Math.max(0, pending, this.windowMaxMs, this.previousMaxMs);
  }

  /** The `eventLoop` entry: up while the measured lag is at most `maxEventLoopLagMs`. */
  check(): HealthIndicatorResult {
    const entry = this.indicators.check(EVENT_LOOP_HEALTH_KEY);
    const data = { lagMs: round(this.lagMs), maxLagMs: this.maxLagMs };
    return data.lagMs <= this.maxLagMs
      ? entry.up(data)
      : entry.down({
          message: `event loop lag ${data.lagMs} ms over ${this.maxLagMs} ms`,
          ...data,
        });
  }

  private sample(): void {
    const now = performance.now();
    const lag = Math.max(0, now - this.lastSampleAt - SAMPLE_MS);
    this.lastSampleAt = now;
    if (now - this.windowStartedAt >= WINDOW_MS) {
      this.previousMaxMs = this.windowMaxMs;
      this.windowMaxMs = 0;
      this.windowStartedAt = now;
    }
    this.windowMaxMs = Math.max(this.windowMaxMs, lag);
  }
}
