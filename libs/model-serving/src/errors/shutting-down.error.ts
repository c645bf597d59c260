import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The server is shutting down and takes no new work.
 * @publicApi
 */
export class ShuttingDownError extends ModelServingError {
  readonly code = GrpcStatusCode.UNAVAILABLE;
  readonly reason = 'SHUTTING_DOWN';
}
