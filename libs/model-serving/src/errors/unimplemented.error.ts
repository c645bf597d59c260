import { GrpcStatusCode } from './grpc-status-code.js';
import { ModelServingError } from './model-serving.error.js';

/**
 * The request asks for something this server does not do (yet).
 * @publicApi
 */
export class UnimplementedError extends ModelServingError {
  readonly code = GrpcStatusCode.UNIMPLEMENTED;
  readonly reason = 'UNIMPLEMENTED';
}
