import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { encodeErrorBody } from '../tf-serving/rest/json/predict-response.js';
import { capErrorMessage } from '../errors/error-message.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { httpStatusFor } from '../errors/status-map.js';

/**
 * The status and message of anything thrown while serving HTTP, the message capped (see
 * `capErrorMessage`); unknown errors say nothing.
 */
export function describeHttpError(
  error: unknown,
  logger: Logger,
): { status: number; message: string } {
  const described = describe(error, logger);
  return { ...described, message: capErrorMessage(described.message) };
}

function describe(error: unknown, logger: Logger): { status: number; message: string } {
  if (error instanceof ModelServingError)
    return { status: httpStatusFor(error.code), message: error.message };
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message: unknown =
      typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const text = Array.isArray(message)
      ? message.join('; ')
      : typeof message === 'string'
        ? message
        : error.message;
    return { status: error.getStatus(), message: text };
  }
  // Body-parser errors (Express and Fastify) carry a client-error status and a safe message.
  const status =
    (error as { status?: unknown; statusCode?: unknown } | undefined)?.statusCode ??
    (error as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && error instanceof Error) {
    return { status, message: error.message };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { status: 500, message: 'Internal error' };
}

/**
 * Answers errors in TF Serving's shape, `{ "error": "<message>" }`, with the HTTP status derived
 * from the canonical code; on Express and Fastify alike. Bound to the library's routes; install
 * it app-wide with `configureModelServingApp` to give framework errors (body too large, bad
 * `@Predict` DTOs) the same shape.
 * @publicApi
 */
@Catch()
export class ModelServingHttpExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('ModelServing');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      super.catch(exception, host);
      return;
    }
    const adapter = this.httpAdapterHost?.httpAdapter ?? this.applicationRef;
    if (!adapter) throw exception;
    const response: unknown = host.switchToHttp().getResponse();
    const { status, message } = describeHttpError(exception, this.logger);
    adapter.setHeader(response, 'Content-Type', 'application/json');
    adapter.reply(response, encodeErrorBody(message), status);
  }
}
