import { type Provider } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ModelRegistry } from '../models/model.registry.js';
import { EventLoopLagMetric } from './event-loop-lag.metric.js';
import { ModelServingMetricsObserver, type VersionStateSample } from './metrics.observer.js';
import { ModelServingMetricsSubscriber } from './metrics.subscriber.js';

/**
 * Injection token of the app's own prom-client `Registry` (never the global default registry, so
 * two apps in one process keep separate metrics).
 * @publicApi
 */
export const MODEL_SERVING_METRICS_REGISTRY = 'MODEL_SERVING_METRICS_REGISTRY';

/** Options of {@link createMetricsProviders}. @publicApi */
export interface MetricsProvidersOptions {
  /**
   * Whether prom-client's default Node.js metrics (`process_*`, `nodejs_*`) join the app's
   * registry. @defaultValue false
   */
  readonly defaultMetrics?: boolean;
}

/**
 * The providers of an app's metrics: its registry ({@link MODEL_SERVING_METRICS_REGISTRY}), the
 * {@link ModelServingMetricsObserver} writing to it (TF Serving's `model_path` label from each
 * model's base path, version states from the {@link ModelRegistry}), the event-loop lag gauge and
 * the subscriber that connects them on module init. Needs `ModelRegistry` and `InferenceService`
 * in scope (the module exports both).
 * @publicApi
 */
export function createMetricsProviders(options: MetricsProvidersOptions = {}): Provider[] {
  return [
    {
      provide: MODEL_SERVING_METRICS_REGISTRY,
      useFactory: () => {
        const registry = new Registry();
        if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    {
      provide: ModelServingMetricsObserver,
      useFactory: (registry: Registry, models: ModelRegistry) =>
        new ModelServingMetricsObserver(registry, {
          // TF Serving's export dir: `<base_path>/<version>` (io::JoinPath).
          modelPath: (model, version) => {
            const config = models.configs().find((c) => c.name === model);
            return `${config?.basePath ?? model}/${version}`;
          },
          versionStates: () => versionStates(models),
        }),
      inject: [MODEL_SERVING_METRICS_REGISTRY, ModelRegistry],
    },
    {
      provide: EventLoopLagMetric,
      useFactory: (registry: Registry) => new EventLoopLagMetric(registry),
      inject: [MODEL_SERVING_METRICS_REGISTRY],
    },
    ModelServingMetricsSubscriber,
  ];
}

/** Every configured model's version states, as its status endpoint reports them. */
function* versionStates(models: ModelRegistry): Generator<VersionStateSample> {
  for (const model of models.names()) {
    for (const { version, state } of models.status(model)) yield { model, version, state };
  }
}
