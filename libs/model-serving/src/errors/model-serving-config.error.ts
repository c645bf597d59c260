import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The module's options or a model config file are invalid; the message names the field or the line and column.
 * @publicApi
 */
export class ModelServingConfigError extends ModelServingError {
  readonly code = GrpcStatusCode.INVALID_ARGUMENT;
  readonly reason = 'INVALID_CONFIG';
}
