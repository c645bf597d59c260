import type * as ort from 'onnxruntime-node';

/** The part of onnxruntime-node this engine uses; its types stay out of the public API. */
export type OnnxRuntime = typeof ort;

/** The package's name: an optional peer, installed by the application when it serves ONNX. */
export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

let runtime: Promise<OnnxRuntime | string> | undefined;

/**
 * Loads onnxruntime-node once per process. Resolves to the module, or to the reason it is not
 * usable (not installed, or its native binding failed to load) for the version's status.
 */
export function loadOnnxRuntime(): Promise<OnnxRuntime | string> {
  runtime ??= import(ONNX_RUNTIME_PACKAGE).then(
    (module: OnnxRuntime & { default?: OnnxRuntime }) => module.default ?? module,
    (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error)),
  );
  return runtime;
}
