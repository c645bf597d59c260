import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The request carries no credential, or one that is not valid (unknown API key; a token that is
 * malformed, expired, badly signed or for another issuer or audience): UNAUTHENTICATED, HTTP
 * 401 with a `WWW-Authenticate` challenge. The message never repeats the credential.
 * @publicApi
 */
export class UnauthenticatedError extends ModelServingError {
  readonly code = GrpcStatusCode.UNAUTHENTICATED;
  readonly reason = 'UNAUTHENTICATED';
}
