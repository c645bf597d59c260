/**
 * Thrown by an op translator for a node it cannot express in ONNX (an attribute value, a
 * dynamic shape or a dtype it does not handle). Caught by the signature translator, which
 * then leaves the version to TensorFlow.js and says why; it never reaches a client.
 */
export class Untranslatable extends Error {
  constructor(
    readonly op: string,
    readonly reason: string,
  ) {
    super(`${op}: ${reason}`);
  }
}
