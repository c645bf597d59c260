import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';
import { capErrorMessage } from '../errors/error-message.js';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { ModelServingError } from '../errors/model-serving.error.js';

/** What grpc-js needs of an error to answer a call with a status. */
export interface GrpcErrorPayload {
  code: GrpcStatusCode;
  message: string;
  details: string;
}

/**
 * Answers gRPC calls that failed with the error's canonical status code and message (capped as
 * REST's, so a huge model name or label is not echoed in the status details); anything
 * unexpected is logged once and answered INTERNAL without detail.
 * @publicApi
 */
@Catch()
export class ModelServingGrpcExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ModelServing');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (exception instanceof ModelServingError) {
      const message = capErrorMessage(exception.message);
      const payload: GrpcErrorPayload = { code: exception.code, message, details: message };
      return throwError(() => payload);
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    const payload: GrpcErrorPayload = {
      code: GrpcStatusCode.INTERNAL,
      message: 'Internal error',
      details: 'Internal error',
    };
    return throwError(() => payload);
  }
}
