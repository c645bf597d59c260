import { type ModelMetadata } from '../../models/inference.service.js';
import { type TensorSpec } from '../../models/signature.js';
import { TF_DTYPE_NAMES } from '../../tensor/tensor-data.js';

function tensorInfo(spec: TensorSpec): object {
  return {
    dtype: spec.tfDtype ?? TF_DTYPE_NAMES[spec.dtype],
    tensor_shape: {
      dim: (spec.shape ?? []).map((size) => ({ size: String(size), name: '' })),
      unknown_rank: spec.shape === undefined,
    },
    name: spec.name,
  };
}

function sortedMap<T>(
  record: Readonly<Record<string, T>>,
  map: (value: T) => object,
): Record<string, object> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, map(record[key]!)]),
  );
}

const json = (value: object): string => `${JSON.stringify(value, null, 1)}\n`;

/**
 * `GetModelMetadataResponse` with the bytes TF Serving's REST handler writes: the model spec and
 * the `SignatureDefMap` are separate protobuf JSON documents joined by literal text. Field order
 * is that of released TF Serving; signature and tensor names are sorted (TF Serving's order is
 * a hash order).
 */
export function encodeMetadataResponse(metadata: ModelMetadata): string {
  const modelSpec = { name: metadata.name, signature_name: '', version: String(metadata.version) };
  const signatureDefMap = {
    signature_def: sortedMap(metadata.signatures, (sig) => ({
      inputs: sortedMap(sig.inputs, tensorInfo),
      outputs: sortedMap(sig.outputs, tensorInfo),
      method_name: sig.methodName,
      // TF Serving prints no `defaults` for the init op's pseudo-signature (no method name).
      ...(sig.methodName ? { defaults: {} } : {}),
    })),
  };
  return `{\n"model_spec":${json(modelSpec)},\n"metadata": {"signature_def": ${json(signatureDefMap)}}\n}\n`;
}
