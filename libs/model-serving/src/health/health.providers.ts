import { type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopHealthIndicator } from './event-loop.indicator.js';
import { createHealthController, type HealthControllerOptions } from './health.controller.js';
import { ModelHealthIndicator } from './model-health.indicator.js';

/**
 * The indicators the health controller injects. They need `ModelRegistry` and terminus's
 * `HealthIndicatorService` (from `TerminusModule`) in scope.
 * @publicApi
 */
export const MODEL_SERVING_HEALTH_PROVIDERS: Provider[] = [
  ModelHealthIndicator,
  EventLoopHealthIndicator,
];

/** What a module adds to serve the probes. */
export interface HealthModuleParts {
  imports: DynamicModule[];
  controllers: Type[];
  providers: Provider[];
}

/**
 * Terminus, the probe controller for `options`' paths and its indicators, to merge into a
 * module definition. Terminus's own graceful-shutdown wait stays off (0): the drain belongs
 * to the serving lifecycle (`drainDelayMs`), so a second wait would only lengthen shutdown.
 */
export function healthModuleParts(options: HealthControllerOptions = {}): HealthModuleParts {
  return {
    imports: [TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 0 })],
    controllers: [createHealthController(options)],
    providers: [...MODEL_SERVING_HEALTH_PROVIDERS],
  };
}
