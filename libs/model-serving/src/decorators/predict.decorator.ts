import {
  applyDecorators,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { PREDICT_OPTIONS, type PredictOptions } from './predict-options.js';
import { ModelServingApi } from './model-serving-api.decorator.js';
import { PredictInterceptor } from './predict.interceptor.js';

export type { PredictOptions } from './predict-options.js';

// A wrong type makes every other constraint of the field fail too (a string is neither a
// number nor >= 0); only the type is worth saying, with what was sent instead.
const TYPE_CONSTRAINTS: Readonly<Record<string, string>> = {
  isNumber: 'a number',
  isInt: 'an integer',
  isString: 'a string',
  isBoolean: 'a boolean',
  isArray: 'an array',
  isObject: 'an object',
};

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `the ${typeof value} ${String(value)}`;
  }
  return 'an object';
}

function messagesOf(error: ValidationError, path = ''): string[] {
  const field = `${path}${error.property}`;
  const constraints = error.constraints ?? {};
  const type = Object.keys(constraints).find((name) => name in TYPE_CONSTRAINTS);
  if (type)
    return [`${field} must be ${TYPE_CONSTRAINTS[type]} (got ${describeValue(error.value)})`];
  const own = Object.values(constraints);
  const nested = (error.children ?? []).flatMap((child) => messagesOf(child, `${field}.`));
  return own.length + nested.length > 0 ? [...own, ...nested] : [`${field} is invalid`];
}

function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) =>
      new InvalidInputError(errors.flatMap((e) => messagesOf(e)).join('; ')),
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
    // Guarded as `predict` on its model (options or the class's @Servable), with our filter.
    ModelServingApi({
      verb: 'predict',
      ...(options.model !== undefined && { model: options.model }),
    }),
  );
}
