import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { type VersionStatus } from '../../models/served-model.js';

/**
 * `GetModelStatusResponse` as TF Serving writes it: protobuf JSON, one space per indent level,
 * versions as strings, newest first, and a trailing newline.
 */
export function encodeStatusResponse(statuses: readonly VersionStatus[]): string {
  const body = {
    model_version_status: statuses.map((s) => ({
      version: String(s.version),
      state: s.state,
      status: {
        error_code: GrpcStatusCode[s.error?.code ?? GrpcStatusCode.OK],
        error_message: s.error?.message ?? '',
      },
    })),
  };
  return `${JSON.stringify(body, null, 1)}\n`;
}
