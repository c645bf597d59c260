import { Logger } from '@nestjs/common';
import { type BackendName } from './model.loader.js';
import { GrpcStatusCode } from '../errors/grpc-status-code.js';
import { ModelLoadError } from '../errors/model-load.error.js';
import { ModelServingError } from '../errors/model-serving.error.js';
import { type SignatureDef } from './signature.js';
import { type TensorData } from '../tensor/tensor-data.js';
import { allocate } from '../tensor/typed-values.js';
import { type ModelExecutor } from './model.executor.js';

const MISSING_KERNEL = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/**
 * Zero-filled inputs of a signature (unknown dimensions as 1), or undefined for unknown ranks.
 * `guessed` says whether the inputs are only a guess at valid data: a dimension was unknown, or
 * a string input got empty strings (a serialized tf.Example or text the model parses).
 */
function zeroInputs(
  signature: SignatureDef,
): { inputs: Record<string, TensorData>; guessed: boolean } | undefined {
  const inputs: Record<string, TensorData> = {};
  let guessed = false;
  for (const [alias, spec] of Object.entries(signature.inputs)) {
    if (!spec.shape) return undefined;
    if (spec.dtype === 'string' || spec.shape.some((d) => d < 0)) guessed = true;
    const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
    const size = shape.reduce((a, b) => a * b, 1);
    // Each dtype's own array (int64 as BigInt64Array, float16 as its half bits): an engine
    // that takes values natively refuses another array type.
    const data =
      spec.dtype === 'string'
        ? Array.from({ length: size }, () => new Uint8Array(0))
        : allocate(spec.dtype, size);
    inputs[alias] = { dtype: spec.dtype, shape, data };
  }
  return { inputs, guessed };
}

/**
 * Runs every signature once on zeros, so a kernel the engine lacks is found at load time, not at
 * the first request (a tfjs model on `auto` has already moved to the CPU backend by then when
 * that backend has the kernel, and said so); the load then fails naming the kernel.
 *
 * Any other failure depends on what was fed. Where every input shape is fully known and numeric,
 * zeros are valid data, so a signature that cannot run on them cannot run at all: a load error
 * naming the signature and the cause, shown in the version's status. Where a dimension had to be
 * guessed (-1 fed as 1) or a string input got empty strings, real requests may still succeed
 * (a reshape that needs an even length, a tf.Example with required features): the version stays
 * AVAILABLE and a WARN names the model, the signature and the cause.
 * @throws ModelLoadError
 */
export async function ensureKernels(
  executor: ModelExecutor,
  requested: BackendName,
  where: string,
  logger = new Logger('ModelServing'),
): Promise<void> {
  for (const [key, signature] of Object.entries(executor.signatures)) {
    const zeros = zeroInputs(signature);
    if (!zeros) continue;
    const { inputs, guessed } = zeros;
    try {
      await executor.run(key, inputs);
    } catch (error) {
      // The executor's own refusal (a signature it lists but cannot serve, such as the init op
      // or one with unsupported ops) was reported at load and is answered per request.
      if (error instanceof ModelServingError) continue;
      const message = error instanceof Error ? error.message : String(error);
      const missing = MISSING_KERNEL.exec(message);
      if (missing) {
        const [, kernel, backend] = missing;
        throw new ModelLoadError(
          `${where} needs the kernel ${kernel}, which the ${backend} backend lacks${requested === 'auto' ? '' : ` (backend '${requested}' was requested; 'auto' falls back to cpu)`}`,
          GrpcStatusCode.UNIMPLEMENTED,
        );
      }
      if (!guessed) {
        throw new ModelLoadError(
          `${where}: signature '${key}' cannot run: on zero-filled inputs of its declared shapes it failed with: ${message}`,
        );
      }
      logger.warn(
        `${where}: signature '${key}' failed on zero-filled inputs (unknown dimensions fed as 1, strings empty), so it stays available but may fail on real requests: ${message}`,
      );
    }
  }
}
