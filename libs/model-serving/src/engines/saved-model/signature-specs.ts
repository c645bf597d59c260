import { type SignatureDef, type SignatureMap, type TensorSpec } from '../../models/signature.js';
import { distinctTfDtype, dtypeMapping } from './tf-dtypes.js';
import { type SignatureDefMsg, type TensorInfoMsg } from './tf-messages.js';

/** The signature a TF2 export runs its initialisers under; it is not a servable function. */
export const INIT_OP_SIGNATURE = '__saved_model_init_op';

/** The signatures of a MetaGraph as served, and why some of them cannot run. */
export interface SavedModelSignatures {
  readonly signatures: SignatureMap;
  /** Signature key → why requests to it fail (UNIMPLEMENTED). */
  readonly unavailable: Map<string, string>;
}

function spec(info: TensorInfoMsg, problems: string[], alias: string): TensorSpec {
  const tfDtype = info.dtype ?? 'DT_INVALID';
  const mapping = dtypeMapping(tfDtype);
  if (!mapping) problems.push(`tensor '${alias}' has dtype ${tfDtype}, which TensorFlow.js lacks`);
  if (info.cooSparse || info.compositeTensor) {
    problems.push(`tensor '${alias}' is sparse or composite, which is not supported`);
  }
  const dtype = mapping?.dtype ?? 'float32';
  const shape = info.tensorShape?.unknownRank
    ? undefined
    : (info.tensorShape?.dim ?? []).map((d) => Number(d.size ?? -1));
  const differs = mapping ? distinctTfDtype(tfDtype, dtype) : tfDtype;
  // TensorFlow does not enforce a placeholder's declared shape at run time (TF Serving's own
  // tests feed [3] to TF2 half_plus_two's [1]), so the shape is reported, never enforced.
  return {
    name: info.name ?? info.cooSparse?.valuesTensorName ?? '',
    dtype,
    ...(shape ? { shape } : {}),
    ...(differs ? { tfDtype: differs } : {}),
    relaxedShape: true,
  };
}

/**
 * The MetaGraph's SignatureDefs as the library's signatures: all of them (so metadata shows
 * what TF Serving shows), each tensor in its exact dtype (the executor narrows to what tfjs
 * computes), TensorFlow's dtype kept in `tfDtype` where the carrier names another (bfloat16),
 * `-1` for unknown dimensions and no shape for an unknown rank.
 */
export function signatureSpecs(
  defs: Readonly<Record<string, SignatureDefMsg>>,
): SavedModelSignatures {
  const signatures: Record<string, SignatureDef> = {};
  const unavailable = new Map<string, string>();
  for (const [key, def] of Object.entries(defs)) {
    const problems: string[] = [];
    const map = (infos: Record<string, TensorInfoMsg> | undefined) =>
      Object.fromEntries(
        Object.entries(infos ?? {}).map(([alias, info]) => [alias, spec(info, problems, alias)]),
      );
    signatures[key] = {
      methodName: def.methodName ?? '',
      inputs: map(def.inputs),
      outputs: map(def.outputs),
    };
    if (key === INIT_OP_SIGNATURE) {
      unavailable.set(key, `signature '${key}' initialises the SavedModel; it is not servable`);
    } else if (problems.length > 0) {
      unavailable.set(key, `signature '${key}': ${problems.join('; ')}`);
    }
  }
  return { signatures, unavailable };
}
