import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The requested version (or the version a label points to) is not available.
 * @publicApi
 */
export class VersionNotFoundError extends ModelServingError {
  readonly code = GrpcStatusCode.NOT_FOUND;
  readonly reason = 'VERSION_NOT_FOUND';
}
