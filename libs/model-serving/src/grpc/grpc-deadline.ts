import { type ServerUnaryCall } from '@grpc/grpc-js';

/** The call's gRPC deadline as epoch milliseconds, if the client set one. */
export function grpcDeadline(
  call: ServerUnaryCall<unknown, unknown> | undefined,
): number | undefined {
  const deadline = call?.getDeadline?.();
  const at =
    deadline instanceof Date ? deadline.getTime() : typeof deadline === 'number' ? deadline : NaN;
  return Number.isFinite(at) ? at : undefined;
}
