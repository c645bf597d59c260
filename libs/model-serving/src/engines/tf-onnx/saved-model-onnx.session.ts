import type * as ort from 'onnxruntime-node';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type LoadContext } from '../../models/model.loader.js';
import { type OnnxLoaderOptions } from '../onnx/onnx.loader.js';
import { loadOnnxRuntime, ONNX_RUNTIME_PACKAGE } from '../onnx/onnx-runtime.js';
import { type ExampleParser } from '../saved-model/saved-model.executor.js';
import { SavedModelOnnxExecutor, type SignatureSession } from './saved-model-onnx.executor.js';
import { type SavedModelOnnx } from './saved-model-translation.js';

/**
 * Opens one ONNX Runtime session per translated signature (on the main thread or in a worker)
 * and answers the executor; a session that does not open releases the others and fails the
 * load naming the signature and ONNX Runtime's reason.
 */
export async function createSavedModelOnnxExecutor(
  translation: SavedModelOnnx,
  options: OnnxLoaderOptions,
  context: Pick<LoadContext, 'modelName' | 'version'>,
  parser: ExampleParser | undefined,
  engineNote?: string,
): Promise<SavedModelOnnxExecutor> {
  const where = `model '${context.modelName}' version ${context.version}`;
  const runtime = await loadOnnxRuntime();
  if (typeof runtime === 'string') {
    throw new ModelLoadError(
      `${where}: ${ONNX_RUNTIME_PACKAGE} is not usable: ${runtime}`,
      GrpcStatusCode.FAILED_PRECONDITION,
    );
  }
  const sessions = new Map<string, SignatureSession>();
  try {
    for (const [key, model] of Object.entries(translation.models)) {
      let session: ort.InferenceSession;
      try {
        session = await runtime.InferenceSession.create(model.model, {
          intraOpNumThreads: options.intraOpNumThreads ?? 0,
          graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
          executionProviders: [...(options.executionProviders ?? ['cpu'])],
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ModelLoadError(
          `${where}: ONNX Runtime could not load the translation of signature '${key}': ${reason}`,
        );
      }
      const types = new Map(
        session.inputMetadata.map((value) => [value.name, value.isTensor ? value.type : '']),
      );
      sessions.set(key, { session, model, types });
    }
  } catch (error) {
    await Promise.all([...sessions.values()].map(({ session }) => session.release()));
    throw error;
  }
  return new SavedModelOnnxExecutor(
    runtime,
    sessions,
    translation.signatures,
    new Map(translation.unavailable),
    new Map(translation.parsing),
    parser,
    engineNote,
  );
}
