import { type SignatureMap, type TensorSpec } from '../../models/signature.js';
import { TF_DTYPE_NAMES } from '../../tensor/tensor-data.js';
import { protoRoot } from '../../protos/proto-root.js';

const SIGNATURE_DEF_MAP = 'tensorflow.serving.SignatureDefMap';

function tensorInfo(spec: TensorSpec): object {
  return {
    name: spec.name,
    dtype: spec.tfDtype ?? TF_DTYPE_NAMES[spec.dtype],
    tensor_shape: spec.shape
      ? { dim: spec.shape.map((size) => ({ size })) }
      : { unknown_rank: true },
  };
}

function infos(specs: Readonly<Record<string, TensorSpec>>): Record<string, object> {
  return Object.fromEntries(
    Object.entries(specs).map(([alias, spec]) => [alias, tensorInfo(spec)]),
  );
}

/** The signatures as TF Serving's metadata `Any`: a serialized `tensorflow.serving.SignatureDefMap`. */
export function encodeSignatureDefMap(signatures: SignatureMap): {
  type_url: string;
  value: Uint8Array;
} {
  const type = protoRoot().lookupType(SIGNATURE_DEF_MAP);
  const message = type.fromObject({
    signature_def: Object.fromEntries(
      Object.entries(signatures).map(([key, sig]) => [
        key,
        { inputs: infos(sig.inputs), outputs: infos(sig.outputs), method_name: sig.methodName },
      ]),
    ),
  });
  return {
    type_url: `type.googleapis.com/${SIGNATURE_DEF_MAP}`,
    value: type.encode(message).finish(),
  };
}
