import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * A credential sent more requests than its `rateLimit` allows in the window:
 * RESOURCE_EXHAUSTED, HTTP 429 with `Retry-After`; `details.retryAfterSeconds` says when to retry.
 * @publicApi
 */
export class RateLimitExceededError extends ModelServingError {
  readonly code = GrpcStatusCode.RESOURCE_EXHAUSTED;
  readonly reason = 'RATE_LIMITED';
}
