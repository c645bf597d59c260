import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * A version could not be loaded; its status carries this error's code and message.
 * @publicApi
 */
export class ModelLoadError extends ModelServingError {
  readonly reason = 'MODEL_LOAD_FAILED';

  constructor(
    message: string,
    readonly code: GrpcStatusCode = GrpcStatusCode.INVALID_ARGUMENT,
    details?: Readonly<Record<string, unknown>>,
  ) {
    super(message, details);
  }
}
