import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The caller's deadline passed before the answer was ready.
 * @publicApi
 */
export class DeadlineExceededError extends ModelServingError {
  readonly code = GrpcStatusCode.DEADLINE_EXCEEDED;
  readonly reason = 'DEADLINE_EXCEEDED';
}
