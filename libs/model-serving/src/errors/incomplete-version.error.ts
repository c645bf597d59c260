import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * A version directory is still being written (a file is missing or shorter than its manifest declares).
 * @publicApi
 */
export class IncompleteVersionError extends ModelServingError {
  readonly code = GrpcStatusCode.UNAVAILABLE;
  readonly reason = 'VERSION_INCOMPLETE';
}
