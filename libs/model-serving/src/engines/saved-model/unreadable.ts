import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type ModelServingError } from '../../errors/model-serving.error.js';

/** A file that vanished (still being written or replaced) or cannot be read, without its path. */
export function unreadable(file: string, error: unknown): ModelServingError {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ENOENT') return new IncompleteVersionError(`${file} is missing`);
  return new ModelLoadError(
    `${file} could not be read (${code ?? 'I/O error'})`,
    GrpcStatusCode.UNAVAILABLE,
  );
}
