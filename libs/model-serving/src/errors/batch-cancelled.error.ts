import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The caller gave up (its signal aborted) while its request waited in a batching queue; the
 * request left the queue without running (CANCELLED, HTTP 499).
 * @publicApi
 */
export class BatchCancelledError extends ModelServingError {
  readonly code = GrpcStatusCode.CANCELLED;
  readonly reason = 'CANCELLED';
}
