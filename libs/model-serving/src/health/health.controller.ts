import { Controller, Get, Res, ServiceUnavailableException, type Type } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { EventLoopHealthIndicator } from './event-loop.indicator.js';
import { ModelHealthIndicator } from './model-health.indicator.js';

/** Where the probes answer. @publicApi */
export interface HealthControllerOptions {
  /** Liveness route (absolute, not under the REST prefix). @defaultValue `'/healthz'` */
  livenessPath?: string;
  /** Readiness route (absolute, not under the REST prefix). @defaultValue `'/readyz'` */
  readinessPath?: string;
}

/** The response methods that set a status, on Express (`status`) and Fastify (`code`). */
interface StatusSettable {
  status?: (code: number) => unknown;
  code?: (code: number) => unknown;
}

/** `/path` from `path`, `/path/` or `//path`; a probe route must be one non-empty path. */
function normalizeProbePath(path: string, field: keyof HealthControllerOptions): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '')
    throw new Error(`${field} must be a non-empty path, got ${JSON.stringify(path)}`);
  return `/${trimmed}`;
}

/**
 * The probes' routes from the options: defaults `/healthz` and `/readyz`, one leading slash.
 * @throws Error when a path is empty or both are the same.
 */
export function probePaths(options: HealthControllerOptions): Required<HealthControllerOptions> {
  const livenessPath = normalizeProbePath(options.livenessPath ?? '/healthz', 'livenessPath');
  const readinessPath = normalizeProbePath(options.readinessPath ?? '/readyz', 'readinessPath');
  if (livenessPath === readinessPath)
    throw new Error(`livenessPath and readinessPath must differ, both are ${livenessPath}`);
  return { livenessPath, readinessPath };
}

/**
 * Runs `checks` through terminus and answers its JSON, `{ status, info, error, details }`: 200
 * when every entry is up, 503 with the same body when one is down or shutdown began. The body
 * is written here rather than thrown, so an app-wide filter (`configureModelServingApp`'s
 * `{ "error" }` shape) cannot replace it.
 */
async function runChecks(
  health: HealthCheckService,
  checks: HealthIndicatorFunction[],
  res: StatusSettable,
  { aliveWhileShuttingDown }: { aliveWhileShuttingDown: boolean },
): Promise<HealthCheckResult> {
  try {
    return await health.check(checks);
  } catch (error) {
    if (!(error instanceof ServiceUnavailableException)) throw error;
    const result = error.getResponse() as HealthCheckResult;
    // Terminus answers `shutting_down` for every check once its own beforeApplicationShutdown
    // ran, which is before our drain. That is readiness news; a live process stays live (a
    // liveness failure during the drain would make the kubelet kill the pod before it drained).
    const allUp = Object.keys(result.error ?? {}).length === 0;
    if (aliveWhileShuttingDown && result.status === 'shutting_down' && allUp)
      return { ...result, status: 'ok' };
    if (res.code) res.code(503);
    else res.status?.(503);
    return result;
  }
}

/**
 * The Kubernetes probes as a controller class, made per pair of paths (a new class each time,
 * so no controller metadata is rewritten), on terminus's `HealthCheckService`:
 * - liveness (`/healthz`): `eventLoop`, the measured event-loop lag; 200 through the drain.
 * - readiness (`/readyz`): `serving` and one `model:<name>` entry per configured model; 503
 *   while any model has no AVAILABLE version and from the start of shutdown on.
 * Neither runs inference: both answer while inference keeps the cores busy.
 * @throws Error when a path is empty.
 * @example
 * ```ts
 * @Module({
 *   imports: [ModelServingModule.forRoot({ models }), TerminusModule.forRoot()],
 *   controllers: [createHealthController({ readinessPath: '/ready' })],
 *   providers: [...MODEL_SERVING_HEALTH_PROVIDERS],
 * })
 * export class AppModule {}
 * ```
 * @publicApi
 */
export function createHealthController(options: HealthControllerOptions = {}): Type {
  const { livenessPath, readinessPath } = probePaths(options);

  @Controller()
  class ModelServingHealthController {
    constructor(
      readonly health: HealthCheckService,
      readonly models: ModelHealthIndicator,
      readonly eventLoop: EventLoopHealthIndicator,
    ) {}

    @Get(livenessPath)
    @HealthCheck()
    liveness(@Res({ passthrough: true }) res: StatusSettable): Promise<HealthCheckResult> {
      return runChecks(this.health, [() => this.eventLoop.check()], res, {
        aliveWhileShuttingDown: true,
      });
    }

    @Get(readinessPath)
    @HealthCheck()
    readiness(@Res({ passthrough: true }) res: StatusSettable): Promise<HealthCheckResult> {
      return runChecks(this.health, [() => this.models.check()], res, {
        aliveWhileShuttingDown: false,
      });
    }
  }
  return ModelServingHealthController;
}
