import {
  applyDecorators,
  UseFilters,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ModelServingHttpExceptionFilter } from '../errors/http-exception.filter.js';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { PredictInterceptor } from './predict.interceptor.js';

/** Options of `@Predict`. @publicApi */
export interface PredictOptions {
  /** The model; defaults to the class's `@Servable` name. */
  readonly model?: string;
  /** @defaultValue `serving_default` */
  readonly signature?: string;
  readonly version?: number;
  readonly label?: string;
}

/** Reads `@Predict` options of a handler. */
export const PREDICT_OPTIONS = Reflector.createDecorator<PredictOptions>();

function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) =>
      new InvalidInputError(
        errors
          .flatMap((e) =>
            Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }),
          )
          .join('; '),
      ),
  });
}

/**
 * Turns a route into an inference endpoint. The handler returns the model inputs (tensors or
 * nested arrays by alias), or `{ inputs, postprocess(outputs) }`; the inputs are checked
 * against the signature, the model runs, and the route answers `postprocess`'s result or
 * `{ outputs }`. The request DTO is validated with `ValidationPipe`; errors answer
 * `{ "error": "…" }` with status 400. Keep writing `@Post()` yourself.
 * @publicApi
 */
export function Predict(options: PredictOptions = {}): MethodDecorator {
  if (options.version !== undefined && options.label !== undefined) {
    throw new TypeError('@Predict() takes a version or a label, not both');
  }
  return applyDecorators(
    PREDICT_OPTIONS(options),
    UsePipes(validationPipe()),
    UseInterceptors(PredictInterceptor),
    UseFilters(ModelServingHttpExceptionFilter),
  );
}
