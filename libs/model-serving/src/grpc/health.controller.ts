import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { distinctUntilChanged, interval, map, type Observable, startWith, takeWhile } from 'rxjs';
import { ModelServingGrpcExceptionFilter } from './grpc-exception.filter.js';
import { ModelNotFoundError } from '../errors/model-not-found.error.js';
import { ModelRegistry } from '../models/model.registry.js';

/** How often a Watch stream looks at readiness. */
const WATCH_POLL_MS = 200;

/** The services a health check may name; '' is the server as a whole. */
const KNOWN_SERVICES = new Set([
  '',
  'tensorflow.serving.PredictionService',
  'tensorflow.serving.ModelService',
  'inference.GRPCInferenceService',
]);

type ServingStatus = 'SERVING' | 'NOT_SERVING';

/**
 * `grpc.health.v1.Health`: SERVING once every configured model has an AVAILABLE version, and
 * NOT_SERVING again from the start of shutdown; a Watch stream sends that NOT_SERVING, then ends.
 */
@Controller()
@UseFilters(ModelServingGrpcExceptionFilter)
export class HealthController {
  constructor(private readonly registry: ModelRegistry) {}

  private status(service: string | undefined): ServingStatus {
    if (!KNOWN_SERVICES.has(service ?? ''))
      throw new ModelNotFoundError(`unknown service ${String(service)}`);
    return this.registry.ready && !this.registry.closing ? 'SERVING' : 'NOT_SERVING';
  }

  @GrpcMethod('Health', 'Check')
  check(request: { service?: string }): { status: ServingStatus } {
    return { status: this.status(request.service) };
  }

  @GrpcMethod('Health', 'Watch')
  watch(
    request: { service?: string },
    _metadata: unknown,
    call?: { cancelled?: boolean },
  ): Observable<{ status: ServingStatus }> {
    const service = request.service;
    const first = this.status(service);
    return interval(WATCH_POLL_MS).pipe(
      takeWhile(() => !call?.cancelled),
      map(() => this.status(service)),
      startWith(first),
      // Inclusive: the NOT_SERVING that shutdown causes is sent, then the stream ends so the
      // server's graceful close is not held by a watcher.
      takeWhile(() => !this.registry.closing, true),
      distinctUntilChanged(),
      map((status) => ({ status })),
    );
  }
}
