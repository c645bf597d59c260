import { type SignatureDef } from '../models/signature.js';

/**
 * Why requests of a signature cannot be batched, or `undefined` when they can: as TF Serving's
 * batching session, every input must have a known rank of at least 1 and an unknown
 * dimension 0 (-1), the batch dimension. String inputs (serialized `tf.Example`s of
 * classify/regress signatures) count like any other.
 */
export function whyNotBatched(signature: SignatureDef): string | undefined {
  const inputs = Object.entries(signature.inputs);
  if (inputs.length === 0) return 'it has no inputs';
  for (const [alias, spec] of inputs) {
    if (spec.shape === undefined) return `input '${alias}' has an unknown rank`;
    if (spec.shape.length === 0) return `input '${alias}' is a scalar`;
    const dim0 = spec.shape[0];
    if (dim0 !== -1) return `input '${alias}' has a fixed dimension 0 (${dim0})`;
  }
  return undefined;
}
