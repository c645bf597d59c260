import { GrpcStatusCode } from './grpc-status-code.js';

/**
 * The one mapping from canonical codes to HTTP statuses, as TF Serving's HTTP server maps them.
 */
export function httpStatusFor(code: GrpcStatusCode): number {
  switch (code) {
    case GrpcStatusCode.OK:
      return 200;
    case GrpcStatusCode.CANCELLED:
      return 499;
    case GrpcStatusCode.INVALID_ARGUMENT:
    case GrpcStatusCode.FAILED_PRECONDITION:
    case GrpcStatusCode.OUT_OF_RANGE:
      return 400;
    case GrpcStatusCode.DEADLINE_EXCEEDED:
      return 504;
    case GrpcStatusCode.NOT_FOUND:
      return 404;
    case GrpcStatusCode.ALREADY_EXISTS:
    case GrpcStatusCode.ABORTED:
      return 409;
    case GrpcStatusCode.PERMISSION_DENIED:
      return 403;
    case GrpcStatusCode.RESOURCE_EXHAUSTED:
      return 429;
    case GrpcStatusCode.UNIMPLEMENTED:
      return 501;
    case GrpcStatusCode.UNAVAILABLE:
      return 503;
    case GrpcStatusCode.UNAUTHENTICATED:
      return 401;
    case GrpcStatusCode.UNKNOWN:
    case GrpcStatusCode.INTERNAL:
    case GrpcStatusCode.DATA_LOSS:
      return 500;
  }
}
