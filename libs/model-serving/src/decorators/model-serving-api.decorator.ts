import { applyDecorators, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { MODEL_SERVING_VERBS, type ModelServingVerb } from '../config/auth-options.interface.js';
import { ModelServingAuthGuard } from '../auth/model-access.guard.js';
import {
  type AccessTargets,
  MODEL_SERVING_API,
  type ModelServingApiMetadata,
} from '../auth/model-serving-api.metadata.js';
import { ModelServingGrpcExceptionFilter } from '../grpc/grpc-exception.filter.js';
import { ModelServingHttpExceptionFilter } from '../http/http-exception.filter.js';
import { RequestIdInterceptor } from '../logging/request-id.interceptor.js';

/** Options of `@ModelServingApi`. @publicApi */
export interface ModelServingApiOptions {
  /** What the route does to its model. @defaultValue `'predict'` */
  readonly verb?: ModelServingVerb;
  /**
   * The model the route serves; defaults to the class's `@Servable` name. With neither, any
   * valid credential may call the route.
   */
  readonly model?: string;
  /** Which error filter answers: TF Serving's `{ "error" }` body, or a gRPC status. @defaultValue `'http'` */
  readonly transport?: 'http' | 'grpc';
  /** @internal How the library's own routes read the models a request names. */
  readonly targets?: AccessTargets;
  /** @internal A health or server-metadata route, public while `auth.publicHealth` is on. */
  readonly health?: boolean;
  /** @internal The metrics scrape, public while `auth.publicMetrics` is on. */
  readonly metrics?: boolean;
}

/**
 * Marks a route (or every route of a class) as a model-serving API: errors answer in TF
 * Serving's shape (or as gRPC statuses), the call gets a request id (`x-request-id`), and, when the module has `auth`, the caller must bring
 * an API key or JWT that grants `verb` on the model (401 without one, 403 when it does not
 * grant it, 429 past its rate limit). `@Public()` exempts a handler. Every library controller
 * and `@Predict` route carries it.
 * @example
 * ```ts
 * @Servable({ name: 'iris', basePath: './models/iris' })
 * @Controller('flowers')
 * @ModelServingApi({ verb: 'predict' })
 * export class FlowersController { … }
 * ```
 * @publicApi
 */
export function ModelServingApi(
  options: ModelServingApiOptions = {},
): ClassDecorator & MethodDecorator {
  if (options.verb !== undefined && !MODEL_SERVING_VERBS.includes(options.verb)) {
    throw new TypeError(
      `@ModelServingApi() verb must be one of ${MODEL_SERVING_VERBS.join(', ')}, got ${String(options.verb)}`,
    );
  }
  const metadata: ModelServingApiMetadata = {
    ...(options.verb !== undefined && { verb: options.verb }),
    ...(options.model !== undefined && { model: options.model }),
    ...(options.targets !== undefined && { targets: options.targets }),
    ...(options.health !== undefined && { health: options.health }),
    ...(options.metrics !== undefined && { metrics: options.metrics }),
  };
  const filter =
    options.transport === 'grpc'
      ? ModelServingGrpcExceptionFilter
      : ModelServingHttpExceptionFilter;
  return applyDecorators(
    MODEL_SERVING_API(metadata),
    UseFilters(filter),
    UseGuards(ModelServingAuthGuard),
    UseInterceptors(RequestIdInterceptor),
  );
}
