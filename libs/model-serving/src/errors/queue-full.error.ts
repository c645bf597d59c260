import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * A batching queue is full: the request is refused at once rather than queued (RESOURCE_EXHAUSTED, HTTP 429).
 * @publicApi
 */
export class QueueFullError extends ModelServingError {
  readonly code = GrpcStatusCode.RESOURCE_EXHAUSTED;
  readonly reason = 'QUEUE_FULL';
}
