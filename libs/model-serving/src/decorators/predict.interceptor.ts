import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, type Observable } from 'rxjs';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { InferenceService } from '../models/inference.service.js';
import { ModelHandle, type ModelInputs } from '../models/model.handle.js';
import { ModelRegistry } from '../models/model.registry.js';
import { tensorToNested } from '../tensor/nested-values.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { readFormBodyAsJson } from './predict-body.js';
import { PREDICT_OPTIONS } from './predict-options.js';
import { Servable } from './servable.decorator.js';

/** What a `@Predict` handler may return. @publicApi */
export type PredictHandlerResult<R = unknown> =
  | ModelInputs
  | { inputs: ModelInputs; postprocess?: (outputs: Record<string, TensorData>) => R | Promise<R> };

function hasPostprocess(
  value: unknown,
): value is { inputs: ModelInputs; postprocess?: (o: Record<string, TensorData>) => unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'inputs' in value &&
    typeof value.inputs === 'object'
  );
}

/** Runs the model on what a `@Predict` handler returns. */
@Injectable()
export class PredictInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ModelRegistry,
    private readonly inference: InferenceService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get(PREDICT_OPTIONS, context.getHandler()) ?? {};
    const servable = Reflect.getMetadata(Servable.KEY, context.getClass()) as
      { name?: string } | undefined;
    const model = options.model ?? servable?.name;
    if (!model) {
      throw new ModelServingConfigError(
        `@Predict() on ${context.getClass().name}.${context.getHandler().name} names no model and its class has no @Servable`,
      );
    }
    // Interceptors run before pipes, so the body is JSON by the time ValidationPipe reads it.
    readFormBodyAsJson(context.switchToHttp().getRequest<{ body?: unknown }>());
    const handle = new ModelHandle(model, this.registry, this.inference);
    return next.handle().pipe(
      mergeMap((returned: unknown) =>
        from(
          (async () => {
            const { inputs, postprocess } = hasPostprocess(returned)
              ? returned
              : { inputs: returned as ModelInputs, postprocess: undefined };
            const outputs = await handle.predict(inputs, options);
            if (postprocess) return postprocess(outputs);
            return {
              outputs: Object.fromEntries(
                Object.entries(outputs).map(([k, t]) => [k, tensorToNested(t)]),
              ),
            };
          })(),
        ),
      ),
    );
  }
}
