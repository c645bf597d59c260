import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The worker thread running a request crashed or was stopped before answering. The pool starts
 * a replacement; retrying the request is safe (inference has no side effects).
 * @publicApi
 */
export class WorkerFailedError extends ModelServingError {
  readonly code = GrpcStatusCode.UNAVAILABLE;
  readonly reason = 'WORKER_FAILED';
}
