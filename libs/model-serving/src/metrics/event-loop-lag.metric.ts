import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import { MODEL_SERVING_METRICS } from './metric-names.js';

/**
 * `model_serving_event_loop_lag_seconds`: the 99th percentile event-loop delay since the previous
 * scrape, sampled by Node's `monitorEventLoopDelay` (what prom-client's default metrics use) every
 * `resolutionMs`. A model that computes on the main thread shows here first.
 */
export class EventLoopLagMetric {
  private readonly histogram: IntervalHistogram;

  /** @param resolutionMs - the sampling interval; `@defaultValue 10` */
  constructor(registry: Registry, resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    const histogram = this.histogram;
    new Gauge({
      ...MODEL_SERVING_METRICS.eventLoopLag,
      registers: [registry],
      collect() {
        // Nanoseconds; no sample yet reads as 0, not as the histogram's NaN.
        const p99 = histogram.count > 0 ? histogram.percentile(99) : 0;
        this.set(p99 / 1e9);
        histogram.reset();
      },
    });
  }

  /** Starts sampling (a native timer that holds no JS handle). */
  start(): void {
    this.histogram.enable();
  }

  /** Stops sampling; idempotent. */
  stop(): void {
    this.histogram.disable();
  }
}
