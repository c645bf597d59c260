import { GrpcStatusCode } from './grpc-status-code.js';
import { httpStatusFor } from './status-map.js';

describe('httpStatusFor', () => {
  const expected: Record<keyof typeof GrpcStatusCode, number> = {
    OK: 200,
    CANCELLED: 499,
    UNKNOWN: 500,
    INVALID_ARGUMENT: 400,
    DEADLINE_EXCEEDED: 504,
    NOT_FOUND: 404,
    ALREADY_EXISTS: 409,
    PERMISSION_DENIED: 403,
    RESOURCE_EXHAUSTED: 429,
    FAILED_PRECONDITION: 400,
    ABORTED: 409,
    OUT_OF_RANGE: 400,
    UNIMPLEMENTED: 501,
    INTERNAL: 500,
    UNAVAILABLE: 503,
    DATA_LOSS: 500,
    UNAUTHENTICATED: 401,
  };

  it.each(Object.entries(expected))('maps %s to %i', (name, status) => {
    expect(httpStatusFor(GrpcStatusCode[name as keyof typeof GrpcStatusCode])).toBe(status);
  });

  it('covers every code', () => {
    const codes = Object.values(GrpcStatusCode).filter((v) => typeof v === 'number');
    expect(codes).toHaveLength(Object.keys(expected).length);
  });
});
