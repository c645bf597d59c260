import { type SignatureMap } from './signature.js';
import { type TensorData } from '../tensor/tensor-data.js';

/**
 * Runs the signatures of one loaded version behind an async interface: plain `TensorData` in,
 * plain `TensorData` out. The executor owns every engine resource of the version and releases
 * them all in `dispose()`. Extension point: a custom loader may return its own executor.
 * @publicApi
 */
export abstract class ModelExecutor {
  /** The signatures this version serves, by key. */
  abstract readonly signatures: SignatureMap;

  /** Name of the engine that runs it (e.g. `wasm`), for logs and status. */
  abstract readonly backend: string;

  /**
   * Runs one signature. `inputs` are keyed by the signature's input aliases and have been
   * checked against it; the result is keyed by output alias (only `outputs` when given).
   */
  abstract run(
    signature: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>>;

  /** Releases every engine resource; called once, after the last request has finished. */
  abstract dispose(): void | Promise<void>;
}
