import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * No model of that name is configured, or it has no servable version.
 * @publicApi
 */
export class ModelNotFoundError extends ModelServingError {
  readonly code = GrpcStatusCode.NOT_FOUND;
  readonly reason = 'MODEL_NOT_FOUND';
}
