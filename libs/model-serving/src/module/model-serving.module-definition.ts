import {
  ConfigurableModuleBuilder,
  type DynamicModule,
  type Provider,
  type Type,
} from '@nestjs/common';
import { createModelHandleProviders } from '../decorators/inject-model.decorator.js';
import {
  type ModelServingModuleExtras,
  type ModelServingModuleOptions,
} from '../config/model-serving-options.interface.js';
import { HealthController } from '../grpc/health.controller.js';
import { GrpcInferenceServiceController } from '../open-inference/grpc/grpc-inference-service.controller.js';
import { createV2Controller } from '../open-inference/rest/v2.controller.js';
import { ModelServiceController } from '../tf-serving/grpc/model-service.controller.js';
import { PredictionServiceController } from '../tf-serving/grpc/prediction-service.controller.js';
import { normalizePrefix } from '../tf-serving/rest/tf-serving-path.js';
import { createTfServingController } from '../tf-serving/rest/tf-serving.controller.js';
import { createMetricsController } from '../metrics/metrics.controller.js';
import {
  createMetricsProviders,
  MODEL_SERVING_METRICS_REGISTRY,
} from '../metrics/metrics.providers.js';
import { DEFAULT_PROMETHEUS_PATH } from '../metrics/monitoring-config.js';
import { healthModuleParts } from '../health/health.providers.js';
import { MODEL_SERVING_REST_PREFIX } from './model-serving.constants.js';

const DEFAULT_EXTRAS: ModelServingModuleExtras = {
  isGlobal: true,
  rest: { enabled: true, prefix: '' },
  grpc: { enabled: false },
  metrics: { enabled: false, path: DEFAULT_PROMETHEUS_PATH, defaultMetrics: false },
  health: { enabled: true, livenessPath: '/healthz', readinessPath: '/readyz' },
};

/** What the extras change: global-ness and which protocol, metrics and probe controllers mount. */
function applyModuleShape(
  definition: DynamicModule,
  extras: Partial<ModelServingModuleExtras>,
): DynamicModule {
  const rest = { ...DEFAULT_EXTRAS.rest, ...extras.rest };
  const grpc = { ...DEFAULT_EXTRAS.grpc, ...extras.grpc };
  const metrics = { ...DEFAULT_EXTRAS.metrics, ...extras.metrics };
  const health = { ...DEFAULT_EXTRAS.health, ...extras.health };
  const prefix = normalizePrefix(rest.prefix);
  const controllers: Type[] = rest.enabled
    ? [createTfServingController(prefix), createV2Controller(prefix)]
    : [];
  if (grpc.enabled) {
    controllers.push(
      PredictionServiceController,
      ModelServiceController,
      GrpcInferenceServiceController,
      HealthController,
    );
  }
  const metricsProviders: Provider[] = [];
  if (metrics.enabled) {
    // TF Serving serves the path exactly as configured, outside any REST prefix.
    controllers.push(createMetricsController(metrics.path ?? DEFAULT_PROMETHEUS_PATH));
    metricsProviders.push(...createMetricsProviders({ defaultMetrics: metrics.defaultMetrics }));
  }
  // Probes answer at their own paths, outside any REST prefix, as Kubernetes is told them.
  const probes = health.enabled
    ? healthModuleParts(health)
    : { imports: [], controllers: [], providers: [] };
  controllers.push(...probes.controllers);
  const handles = createModelHandleProviders() as (Provider & { provide: string })[];
  const prefixProvider = {
    provide: MODEL_SERVING_REST_PREFIX,
    useValue: normalizePrefix(rest.prefix),
  };
  return {
    ...definition,
    global: extras.isGlobal ?? DEFAULT_EXTRAS.isGlobal,
    imports: [...(definition.imports ?? []), ...probes.imports],
    controllers: [...(definition.controllers ?? []), ...controllers],
    providers: [
      ...(definition.providers ?? []),
      prefixProvider,
      ...metricsProviders,
      ...probes.providers,
      ...handles,
    ],
    exports: [
      ...(definition.exports ?? []),
      MODEL_SERVING_REST_PREFIX,
      ...(metrics.enabled ? [MODEL_SERVING_METRICS_REGISTRY] : []),
      ...handles.map((h) => h.provide),
    ],
  };
}

export const {
  ConfigurableModuleClass: ModelServingConfigurableModule,
  MODULE_OPTIONS_TOKEN: MODEL_SERVING_MODULE_OPTIONS,
  OPTIONS_TYPE: MODEL_SERVING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MODEL_SERVING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ModelServingModuleOptions>({ moduleName: 'ModelServing' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createModelServingOptions')
  .setExtras<Partial<ModelServingModuleExtras>>(DEFAULT_EXTRAS, applyModuleShape)
  .build();
