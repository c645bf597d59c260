import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The request is malformed or does not fit the signature it names.
 * @publicApi
 */
export class InvalidInputError extends ModelServingError {
  readonly code = GrpcStatusCode.INVALID_ARGUMENT;
  readonly reason = 'INVALID_INPUT';
}
