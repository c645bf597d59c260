import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The credential is valid but grants neither this model nor this verb: PERMISSION_DENIED,
 * HTTP 403. The message names the verb and the model, never the credential.
 * @publicApi
 */
export class PermissionDeniedError extends ModelServingError {
  readonly code = GrpcStatusCode.PERMISSION_DENIED;
  readonly reason = 'PERMISSION_DENIED';
}
