import { type GrpcStatusCode } from './grpc-status-code.js';

/**
 * The root of every error the library throws on purpose. Each carries a canonical gRPC status
 * `code` (the HTTP status is derived from it in one place, `status-map.ts`), a stable `reason`
 * that clients and tests may match on, and a message that is safe to show a caller.
 * @publicApi
 */
export abstract class ModelServingError extends Error {
  abstract readonly code: GrpcStatusCode;
  abstract readonly reason: string;

  constructor(
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
