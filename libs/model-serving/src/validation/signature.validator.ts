import { InvalidInputError } from '../errors/invalid-input.error.js';
import { type SignatureDef } from '../models/signature.js';
import { elementCount, isStringData, type TensorData } from '../tensor/tensor-data.js';
import { wrongArrayFor } from '../tensor/typed-values.js';

function shapeText(shape: readonly number[] | undefined): string {
  return shape ? `[${shape.join(',')}]` : '[?]';
}

/**
 * Checks request tensors against a signature before anything runs: the exact set of input
 * aliases, each dtype, each known dimension, and that the data fills the shape. Messages name
 * the model, the signature and the input.
 */
export function validateInputs(
  where: { model: string; version: number; signature: string },
  signature: SignatureDef,
  inputs: Readonly<Record<string, TensorData>>,
): void {
  const expected = Object.keys(signature.inputs).sort();
  const given = Object.keys(inputs).sort();
  const extra = given.filter((k) => !(k in signature.inputs));
  const missing = expected.filter((k) => !(k in inputs));
  if (extra.length || missing.length) {
    throw new InvalidInputError(
      `input size does not match signature: ${given.length}!=${expected.length} len({${given.join(',')}}) != len({${expected.join(',')}}). Sent extra: {${extra.join(',')}}. Missing but required: {${missing.join(',')}}.`,
    );
  }
  for (const alias of expected) {
    const spec = signature.inputs[alias]!;
    const tensor = inputs[alias]!;
    const prefix = `model '${where.model}' version ${where.version} signature '${where.signature}' input '${alias}'`;
    if (tensor.dtype !== spec.dtype) {
      throw new InvalidInputError(`${prefix} expects dtype ${spec.dtype}, got ${tensor.dtype}`);
    }
    // A caller's own TensorData (a handle's) must carry its dtype's array: an engine that takes
    // values natively would fail on another kind with an error of its own.
    const needed =
      spec.dtype === 'string'
        ? isStringData(tensor.data)
          ? undefined
          : 'list of Uint8Array strings'
        : wrongArrayFor(spec.dtype, tensor.data);
    if (needed !== undefined) {
      throw new InvalidInputError(
        `${prefix} of dtype ${spec.dtype} must carry its values in a ${needed}, got ${Object.prototype.toString.call(tensor.data).slice(8, -1)}`,
      );
    }
    if (spec.shape && !spec.relaxedShape) {
      const fits =
        spec.shape.length === tensor.shape.length &&
        spec.shape.every((d, i) => d < 0 || d === tensor.shape[i]);
      if (!fits) {
        throw new InvalidInputError(
          `${prefix} expects shape ${shapeText(spec.shape)} (-1 is any size), got ${shapeText(tensor.shape)}`,
        );
      }
    }
    const length = tensor.data.length;
    if (
      tensor.shape.some((d) => !Number.isInteger(d) || d < 0) ||
      length !== elementCount(tensor.shape)
    ) {
      throw new InvalidInputError(
        `${prefix}: shape ${shapeText(tensor.shape)} needs ${elementCount(tensor.shape)} values, got ${length}`,
      );
    }
  }
}
