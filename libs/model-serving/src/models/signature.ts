import { type TensorDType } from '../tensor/tensor-data.js';

/** The default signature key, as in TF Serving. */
export const DEFAULT_SIGNATURE = 'serving_default';

/** TF Serving's method names. */
export const PREDICT_METHOD = 'tensorflow/serving/predict';

/**
 * One named input or output of a signature. `shape` uses -1 for an unknown dimension and
 * `undefined` for an unknown rank.
 * @publicApi
 */
export interface TensorSpec {
  /** The graph tensor behind the alias, e.g. `x:0`. */
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape?: readonly number[];
  /**
   * TensorFlow's own dtype (`DT_INT64`…) when the model declares one that tfjs computes in
   * another dtype; metadata reports this one.
   */
  readonly tfDtype?: string;
  /**
   * The declared shape is informative only: TensorFlow does not enforce a placeholder's shape
   * at run time, so requests are not checked against it.
   */
  readonly relaxedShape?: boolean;
}

/**
 * A servable function: named inputs to named outputs, as TF Serving's `SignatureDef`.
 * @publicApi
 */
export interface SignatureDef {
  readonly methodName: string;
  readonly inputs: Readonly<Record<string, TensorSpec>>;
  readonly outputs: Readonly<Record<string, TensorSpec>>;
}

/** Signatures of a version, by key. @publicApi */
export type SignatureMap = Readonly<Record<string, SignatureDef>>;

/**
 * The signature `key` of a version, if it serves one. Only enumerable keys count: executors may
 * keep internal signatures under hidden keys, which a client must not reach by name.
 */
export function servedSignature(signatures: SignatureMap, key: string): SignatureDef | undefined {
  return Object.prototype.propertyIsEnumerable.call(signatures, key) ? signatures[key] : undefined;
}
