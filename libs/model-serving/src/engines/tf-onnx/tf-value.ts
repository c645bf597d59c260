import { type HostTensor } from './host-tensor.js';

/** A dimension: its size, or -1 when only run time knows it. */
export type Dim = number;

/**
 * A TensorFlow tensor as the translation sees it: its dtype, what is known of its shape, its
 * value when it is a constant (so shape arithmetic folds), and the ONNX values that hold it.
 * A 4-D image tensor may exist in NCHW only (a convolution's output): its TensorFlow-layout
 * (NHWC) name is made, with a `Transpose`, only when a consumer asks for it.
 */
export interface TfValue {
  /** TensorFlow's `DT_*` name, as the graph carries it. */
  readonly dtype: string;
  /** Dimensions (-1 unknown), or undefined when even the rank is unknown. */
  readonly shape?: readonly Dim[];
  /** The value, when known at translation time. */
  readonly constant?: HostTensor;
  /** The ONNX value in TensorFlow's layout (emitted on first use for constants and twins). */
  name(): string;
  /** The ONNX value of a 4-D NHWC tensor in NCHW layout, when one exists already. */
  nchw?: string;
}

/** Whether every dimension is known. */
export function isStatic(shape: readonly Dim[] | undefined): boolean {
  return shape !== undefined && shape.every((d) => d >= 0);
}

/** `perm` applied to a shape (dimension i of the result is dimension perm[i]). */
export function permuted(shape: readonly Dim[] | undefined, perm: readonly number[]) {
  return shape && perm.map((p) => shape[p] ?? -1);
}

/** NHWC → NCHW and back. */
export const TO_NCHW = [0, 3, 1, 2] as const;
export const TO_NHWC = [0, 2, 3, 1] as const;
