import { type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopHealthIndicator } from './event-loop.indicator.js';
import {
  createHealthController,
  type HealthControllerOptions,
  probePaths,
} from './health.controller.js';
import { HEALTH_PORT_OPTIONS, HealthPortServer } from './health-port.server.js';
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

/** The probes' paths, and optionally a port of their own (see {@link HealthPortServer}). */
export interface HealthPartsOptions extends HealthControllerOptions {
  /** Also answer the probes on this port, from a worker thread. */
  port?: number;
  /** The health port's interface. @defaultValue every interface */
  host?: string;
}

/**
 * Terminus, the probe controller for `options`' paths and its indicators, to merge into a
 * module definition, plus the health port's server when `port` is set. Terminus's own
 * graceful-shutdown wait stays off (0): the drain belongs to the serving lifecycle
 * (`drainDelayMs`), so a second wait would only lengthen shutdown.
 */
export function healthModuleParts(options: HealthPartsOptions = {}): HealthModuleParts {
  const controller = createHealthController(options);
  const providers: Provider[] = [...MODEL_SERVING_HEALTH_PROVIDERS];
  if (options.port !== undefined) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
      throw new Error(`health.port must be an integer from 0 to 65535, got ${options.port}`);
    providers.push(HealthPortServer, {
      provide: HEALTH_PORT_OPTIONS,
      useValue: {
        port: options.port,
        ...(options.host === undefined ? {} : { host: options.host }),
        ...probePaths(options),
      },
    });
  }
  return {
    imports: [TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 0 })],
    controllers: [controller],
    providers,
  };
}
