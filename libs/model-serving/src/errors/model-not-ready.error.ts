import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The model exists but no version of it is available yet.
 * @publicApi
 */
export class ModelNotReadyError extends ModelServingError {
  readonly code = GrpcStatusCode.UNAVAILABLE;
  readonly reason = 'MODEL_NOT_READY';
}
