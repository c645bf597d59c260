import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type * as ort from 'onnxruntime-node';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import {
  DEFAULT_SIGNATURE,
  PREDICT_METHOD,
  type SignatureMap,
  type TensorSpec,
} from '../../models/signature.js';
import { type LoadContext, ModelLoader } from '../../models/model.loader.js';
import { ONNX_DTYPES } from './onnx-dtypes.js';
import { OnnxExecutor } from './onnx.executor.js';
import { loadOnnxRuntime, ONNX_RUNTIME_PACKAGE } from './onnx-runtime.js';

/** The file that makes a version directory an ONNX model (`<base>/<version>/model.onnx`). */
export const MODEL_ONNX = 'model.onnx';

/** An ONNX version as the worker pool sends it to each worker thread. */
export interface OnnxWorkerLoad {
  readonly engine: 'onnx';
  /** The bytes of `model.onnx`. */
  readonly model: Uint8Array;
  readonly options: OnnxLoaderOptions;
}

/** Session options of the ONNX engine. @publicApi */
export interface OnnxLoaderOptions {
  /**
   * Threads one session uses inside an operator.
   * @defaultValue 0 (onnxruntime's default: one per core)
   */
  readonly intraOpNumThreads?: number;
  /**
   * Graph optimisation level.
   * @defaultValue 'all'
   */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Execution providers in order of preference.
   * @defaultValue ['cpu']
   */
  readonly executionProviders?: readonly string[];
}

type ValueMetadata = ort.InferenceSession.ValueMetadata;

function where(context: Pick<LoadContext, 'modelName' | 'version'>): string {
  return `model '${context.modelName}' version ${context.version}`;
}

/**
 * ONNX models, run by ONNX Runtime (`onnxruntime-node`, an optional package detected at run
 * time). A version directory holding `model.onnx` is this format. Its one signature,
 * `serving_default`, takes the graph's inputs and answers its outputs under their own names;
 * symbolic dimensions are -1, element types map to TensorFlow's `DT_*` names in metadata.
 * A model onnxruntime cannot load fails at load with onnxruntime's message in its status.
 * @publicApi
 */
export class OnnxModelLoader extends ModelLoader {
  readonly format = 'onnx';
  override readonly platform = 'onnx';
  private readonly logger = new Logger('ModelServing');

  constructor(private readonly options: OnnxLoaderOptions = {}) {
    super();
  }

  detect(context: LoadContext): boolean {
    return context.files.includes(MODEL_ONNX);
  }

  async load(context: LoadContext): Promise<ModelExecutor> {
    const executor = await createOnnxExecutor(await readOnnxModel(context), this.options, context);
    this.logger.log(`${where(context)} runs on ONNX Runtime`);
    return executor;
  }

  /**
   * `model.onnx` read once and sent to every worker, each of which opens its own session. By
   * default a session uses `max(1, floor(cores / workers))` threads, so the pool fits the cores.
   */
  async prepareWorkerLoad(
    context: LoadContext,
    pool: { readonly workers: number },
  ): Promise<OnnxWorkerLoad> {
    const model = await readOnnxModel(context);
    const intraOpNumThreads =
      this.options.intraOpNumThreads ??
      Math.max(1, Math.floor(availableParallelism() / Math.max(1, pool.workers)));
    return { engine: 'onnx', model, options: { ...this.options, intraOpNumThreads } };
  }
}

/** The bytes of the version's `model.onnx`; a missing file means the version is incomplete. */
async function readOnnxModel(context: LoadContext): Promise<Uint8Array> {
  try {
    return await readFile(join(context.directory, MODEL_ONNX));
  } catch {
    throw new IncompleteVersionError(`${where(context)}: ${MODEL_ONNX} is missing`);
  }
}

/**
 * Opens an ONNX Runtime session on the model's bytes (on the main thread or in a worker) and
 * wraps it in an executor; failures are `ModelLoadError`s naming the model and version.
 */
export async function createOnnxExecutor(
  model: Uint8Array,
  options: OnnxLoaderOptions,
  context: Pick<LoadContext, 'modelName' | 'version'>,
): Promise<OnnxExecutor> {
  const runtime = await loadOnnxRuntime();
  if (typeof runtime === 'string') {
    throw new ModelLoadError(
      `${where(context)} is an ONNX model, and ${ONNX_RUNTIME_PACKAGE} is not usable: ${runtime}. Install it with ONNXRUNTIME_NODE_INSTALL=skip npm install ${ONNX_RUNTIME_PACKAGE}`,
      GrpcStatusCode.FAILED_PRECONDITION,
    );
  }
  let session: ort.InferenceSession;
  try {
    session = await runtime.InferenceSession.create(model, {
      intraOpNumThreads: options.intraOpNumThreads ?? 0,
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(
      `${where(context)}: ONNX Runtime could not load ${MODEL_ONNX}: ${reason}`,
    );
  }
  try {
    const types = new Map<string, string>();
    const specs = (metadata: readonly ValueMetadata[]) =>
      Object.fromEntries(metadata.map((value) => [value.name, spec(context, value, types)]));
    const signatures: SignatureMap = {
      [DEFAULT_SIGNATURE]: {
        methodName: PREDICT_METHOD,
        inputs: specs(session.inputMetadata),
        outputs: specs(session.outputMetadata),
      },
    };
    return new OnnxExecutor(runtime, session, signatures, types);
  } catch (error) {
    await session.release();
    throw error;
  }
}

function spec(
  context: Pick<LoadContext, 'modelName' | 'version'>,
  value: ValueMetadata,
  types: Map<string, string>,
): TensorSpec {
  if (!value.isTensor) {
    throw new ModelLoadError(
      `${where(context)}: '${value.name}' is not a tensor (sequences and maps are not served)`,
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }
  const mapped = ONNX_DTYPES[value.type];
  if (!mapped) {
    throw new ModelLoadError(
      `${where(context)}: '${value.name}' has element type ${value.type}, which is not served`,
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }
  types.set(value.name, value.type);
  return {
    name: value.name,
    dtype: mapped.dtype,
    tfDtype: mapped.tfDtype,
    shape: value.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
  };
}
