import { Controller, Get, Inject, Res, type Type } from '@nestjs/common';
import { Registry } from 'prom-client';
import { ModelServingApi } from '../decorators/model-serving-api.decorator.js';
import { MODEL_SERVING_METRICS_REGISTRY } from './metrics.providers.js';

/** What Express's and Fastify's replies share for setting a header. */
interface HeaderSetter {
  header(name: string, value: string): unknown;
}

/**
 * A controller answering `GET <path>` with the app's metrics registry in Prometheus text format
 * (prom-client's content type), behind the module's auth when `auth.publicMetrics` is off.
 * Made per path (a new class each time) so no controller metadata is ever rewritten; TF
 * Serving's path is `/monitoring/prometheus/metrics`.
 * @example
 * controllers: [createMetricsController(DEFAULT_PROMETHEUS_PATH)]
 * @publicApi
 */
export function createMetricsController(path: string): Type {
  @Controller()
  class ModelServingMetricsController {
    constructor(@Inject(MODEL_SERVING_METRICS_REGISTRY) readonly registry: Registry) {}

    @Get(path)
    @ModelServingApi({ metrics: true, targets: () => [{ verb: 'status', model: '*' }] })
    async scrape(@Res({ passthrough: true }) res: HeaderSetter): Promise<string> {
      res.header('Content-Type', this.registry.contentType);
      return await this.registry.metrics();
    }
  }
  return ModelServingMetricsController;
}
