import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type OpExecutor, registerOp } from '@tensorflow/tfjs-converter';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { parseExamples } from './parse-examples.js';
import { type LoadContext, ModelLoader } from '../../models/model.loader.js';
import { type OnnxLoaderOptions } from '../onnx/onnx.loader.js';
import { loadOnnxRuntime } from '../onnx/onnx-runtime.js';
import { createSavedModelOnnxExecutor } from '../tf-onnx/saved-model-onnx.session.js';
import {
  isTranslated,
  type SavedModelOnnx,
  translateSavedModel,
  type Untranslated,
} from '../tf-onnx/saved-model-translation.js';
import { CheckpointReader } from './checkpoint-reader.js';
import { readCheckpointIndex } from './read-checkpoint-index.js';
import { SERVE_TAGS, selectMetaGraph } from './meta-graph.js';
import { loadNativeSavedModel, selectNativeSavedModel } from './native-saved-model.js';
import { type ExampleParser, SavedModelExecutor } from './saved-model.executor.js';
import { runSavedModelWarmup } from './saved-model-warmup.js';
import { buildServingGraph, type ServingGraph } from './saved-model-graph.js';
import {
  graphArtifacts,
  portableSavedModel,
  type SavedModelArtifacts,
  type SavedModelWorkerLoad,
} from './saved-model-artifacts.js';
import { INIT_OP_SIGNATURE } from './signature-specs.js';
import { TFJS_OPS } from './tfjs-ops.js';
import { referencedFunctions } from './tfjs-graph.js';
import { TF_ONNX_OPS } from '../tf-onnx/tf-onnx-ops.js';
import { decodeSavedModel } from './tf-protos.js';
import { type MetaGraphDefMsg } from './tf-messages.js';
import { unreadable } from './unreadable.js';
import { weightStream } from './weight-stream.js';

export const SAVED_MODEL_PB = 'saved_model.pb';
const SAVED_MODEL_PBTXT = 'saved_model.pbtxt';
/** A legacy SessionBundle export (TF Serving's `bad_half_plus_two` is one). */
const SESSION_BUNDLE_META = 'export.meta';

/** Options of the SavedModel loader. @publicApi */
export interface SavedModelLoaderOptions {
  /** The MetaGraph to serve, by its exact tag set. @defaultValue `['serve']` */
  readonly tags?: readonly string[];
  /**
   * Kernels for TensorFlow ops TensorFlow.js lacks, by op name. Each is registered with
   * tfjs's `registerOp` (process-wide) and the load-time op check accepts the op.
   */
  readonly customOps?: Readonly<Record<string, OpExecutor>>;
  /**
   * Parses serialized `tf.Example`s for signatures whose graph does (`ParseExample`,
   * `ParseExampleV2`), so they run from the parse op on. Without one, such signatures answer
   * UNIMPLEMENTED.
   */
  readonly exampleParser?: ExampleParser;
  /**
   * Where worker threads (the `workers` option) find `customOps` and `exampleParser`, which
   * are functions and cannot be sent to them: an absolute path or `file:` URL of a JavaScript
   * module exporting `customOps` (same shape as the option) and/or `exampleParser`. Without
   * it, a loader given either option serves its SavedModels on the main thread. The main
   * thread still uses the options above to translate the graph (once, for every worker).
   */
  readonly workerModule?: string;
  /**
   * ONNX Runtime session options for versions translated to ONNX (the model's `engine` or the
   * module's `savedModelEngine` decides whether they are).
   */
  readonly onnx?: OnnxLoaderOptions;
}

/** A SavedModel version translated to ONNX, as the worker pool sends it to each worker. */
export interface SavedModelOnnxWorkerLoad {
  readonly engine: 'saved-model-onnx';
  readonly translation: SavedModelOnnx;
  readonly options: OnnxLoaderOptions;
  /** The loader's `workerModule` option: where workers find `exampleParser`. */
  readonly workerModule?: string;
}

/** Why a version is not on ONNX Runtime: the ops, each with the signatures that use it. */
function untranslatedList(untranslated: Untranslated): string {
  return [...untranslated]
    .map(([op, signatures]) => `${op} (${signatures.map((s) => `'${s}'`).join(', ')})`)
    .join(', ');
}

/**
 * TensorFlow SavedModels (TF1 and TF2 exports) on TensorFlow.js, without libtensorflow: reads
 * `saved_model.pb` and the variables checkpoint, rewrites the `serve` MetaGraph into one tfjs
 * graph for all its signatures, and checks at load time that every op it needs can run. With
 * `backend: 'tensorflow'` it hands the directory to tfjs-node's `tf.node.loadSavedModel`
 * instead (best effort, unverified here; `customOps` and `exampleParser` do not apply there).
 * Either way, the version's warm-up requests (`assets.extra/tf_serving_warmup_requests`) are
 * replayed before it becomes available (unless `enableModelWarmup` is false), and a failing one
 * fails the load.
 * @publicApi
 */
export class SavedModelLoader extends ModelLoader {
  readonly format = 'saved-model';
  override readonly platform = 'tensorflow';
  private readonly tags: readonly string[];
  private readonly customOps: ReadonlySet<string>;
  private readonly exampleParser?: ExampleParser;
  /** Whether worker threads can rebuild the custom ops and parser (none, or `workerModule`). */
  private readonly portable: boolean;
  private readonly workerHooks?: string;
  private readonly onnxOptions: OnnxLoaderOptions;
  private readonly logger = new Logger('ModelServing');

  constructor(options: SavedModelLoaderOptions = {}) {
    super();
    this.tags = options.tags ?? SERVE_TAGS;
    for (const [name, kernel] of Object.entries(options.customOps ?? {})) registerOp(name, kernel);
    this.customOps = new Set(Object.keys(options.customOps ?? {}));
    this.exampleParser = options.exampleParser ?? parseExamples;
    this.workerHooks = options.workerModule;
    this.onnxOptions = options.onnx ?? {};
    this.portable =
      options.workerModule !== undefined ||
      (options.customOps === undefined && options.exampleParser === undefined);
  }

  detect(context: LoadContext): boolean {
    return [SAVED_MODEL_PB, SAVED_MODEL_PBTXT, SESSION_BUNDLE_META].some((f) =>
      context.files.includes(f),
    );
  }

  async load(context: LoadContext): Promise<ModelExecutor> {
    const where = `model '${context.modelName}' version ${context.version}`;
    try {
      return await this.loadVersion(context, where);
    } catch (error) {
      throw located(error, where);
    }
  }

  /**
   * The version translated once into portable artifacts for the worker threads; undefined
   * (main thread) for the native path (`backend: 'tensorflow'`) and for custom ops or parsers
   * the workers cannot import (no `workerModule`).
   */
  async prepareWorkerLoad(
    context: LoadContext,
    pool: { readonly workers: number } = { workers: 1 },
  ): Promise<SavedModelWorkerLoad | SavedModelOnnxWorkerLoad | undefined> {
    if (!this.portable || context.backend === 'tensorflow') return undefined;
    const where = `model '${context.modelName}' version ${context.version}`;
    try {
      const metaGraph = await this.readMetaGraph(context);
      const { serving, reader } = await this.servingGraph(context, metaGraph, where);
      let artifacts: SavedModelArtifacts | undefined;
      let onnx;
      try {
        onnx = await this.onnxTranslation(context, serving, reader, where);
        if (onnx.translation) {
          // Opened once here too, so a translation ONNX Runtime refuses falls back with 'auto'.
          const opened = await this.openTranslation(context, onnx.translation, where);
          if (typeof opened === 'string') onnx = { note: opened };
          else await opened.dispose();
        }
        if (!onnx.translation) {
          this.assertRunsOnTfjs(serving, onnx.note);
          artifacts = await portableSavedModel(serving, reader);
        }
      } finally {
        await reader?.close();
      }
      const hooks = this.workerHooks === undefined ? {} : { workerModule: this.workerHooks };
      if (onnx.translation || !artifacts) {
        // One session per worker: its threads share the cores with the other workers'.
        const intraOpNumThreads =
          this.onnxOptions.intraOpNumThreads ??
          Math.max(1, Math.floor(availableParallelism() / Math.max(1, pool.workers)));
        return {
          engine: 'saved-model-onnx',
          translation: onnx.translation!,
          options: { ...this.onnxOptions, intraOpNumThreads },
          ...hooks,
        };
      }
      return {
        engine: 'saved-model',
        artifacts,
        ...(context.backend === 'auto' ? { cpuFallback: where } : {}),
        ...(onnx.note === undefined ? {} : { engineNote: onnx.note }),
        ...hooks,
      };
    } catch (error) {
      throw located(error, where);
    }
  }

  private async readMetaGraph(context: LoadContext): Promise<MetaGraphDefMsg> {
    if (!context.files.includes(SAVED_MODEL_PB)) throw notASavedModelPb(context.files);
    const bytes = await readFile(join(context.directory, SAVED_MODEL_PB)).catch(
      (error: unknown) => {
        throw unreadable(SAVED_MODEL_PB, error);
      },
    );
    return selectMetaGraph(decodeSavedModel(bytes), this.tags);
  }

  private async loadVersion(context: LoadContext, where: string): Promise<ModelExecutor> {
    const metaGraph = await this.readMetaGraph(context);
    const native = await selectNativeSavedModel(context.backend);
    if (native) {
      const executor = await loadNativeSavedModel(
        native,
        context.directory,
        this.tags,
        metaGraph.signatureDef ?? {},
      );
      this.logger.log(`${where} runs on tfjs-node's native SavedModel loader`);
      return executor;
    }
    const { serving, reader } = await this.servingGraph(context, metaGraph, where);
    let onnx;
    try {
      onnx = await this.onnxTranslation(context, serving, reader, where);
    } catch (error) {
      await reader?.close();
      throw error;
    }
    let note = onnx.note;
    if (onnx.translation) {
      const opened = await this.openTranslation(context, onnx.translation, where).catch(
        async (error: unknown) => {
          await reader?.close();
          throw error;
        },
      );
      if (typeof opened !== 'string') {
        await reader?.close();
        this.logger.log(`${where} runs on ONNX Runtime, translated from the SavedModel`);
        return opened;
      }
      note = opened;
    }
    const executor = await this.translate(serving, reader, note);
    if (context.backend === 'auto') executor.fallBackToCpu(where);
    return executor;
  }

  /**
   * ONNX Runtime sessions on the translation, or (engine `auto`) why they could not be opened,
   * said in the log; the version then runs on TensorFlow.js.
   */
  private async openTranslation(
    context: LoadContext,
    translation: SavedModelOnnx,
    where: string,
  ): Promise<ModelExecutor | string> {
    try {
      return await createSavedModelOnnxExecutor(
        translation,
        this.onnxOptions,
        context,
        this.exampleParser,
      );
    } catch (error) {
      if ((context.engine ?? 'auto') !== 'auto') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`${where} runs on TensorFlow.js: ${reason}`);
      return `ONNX Runtime refused the translation: ${reason}`;
    }
  }

  /**
   * The version translated to ONNX, when its engine (`auto`, `onnx`) asks for it and ONNX
   * Runtime is usable; else why it stays on TensorFlow.js (said in the log for `auto`).
   * @throws ModelLoadError with engine `onnx` when ONNX Runtime is missing (FAILED_PRECONDITION)
   *   or an op does not translate (UNIMPLEMENTED)
   */
  private async onnxTranslation(
    context: LoadContext,
    serving: ServingGraph,
    reader: CheckpointReader | undefined,
    where: string,
  ): Promise<{ translation?: SavedModelOnnx; note?: string }> {
    const engine = context.engine ?? 'auto';
    if (engine === 'tfjs') return {};
    const runtime = await loadOnnxRuntime();
    if (typeof runtime === 'string') {
      if (engine === 'onnx') {
        throw new ModelLoadError(
          `engine 'onnx' needs onnxruntime-node, which is not usable: ${runtime}`,
          GrpcStatusCode.FAILED_PRECONDITION,
        );
      }
      return { note: `onnxruntime-node is not usable: ${runtime}` };
    }
    const result = await translateSavedModel(serving, reader);
    if (isTranslated(result)) return { translation: result };
    const list = untranslatedList(result);
    if (engine === 'onnx') {
      throw new ModelLoadError(
        `engine 'onnx': ops that do not translate to ONNX: ${list}`,
        GrpcStatusCode.UNIMPLEMENTED,
      );
    }
    this.logger.warn(`${where} runs on TensorFlow.js: ops that do not translate to ONNX: ${list}`);
    return { note: `not translated to ONNX: ${list}` };
  }

  /**
   * Replays the version's warm-up requests (`assets.extra/tf_serving_warmup_requests`) through
   * the executor that will serve it (batching included), as TF Serving does before a version
   * becomes available.
   */
  override async warmup(context: LoadContext, executor: ModelExecutor): Promise<void> {
    if (!(context.enableModelWarmup ?? true)) return;
    const where = `model '${context.modelName}' version ${context.version}`;
    try {
      const target = { model: context.modelName, version: context.version };
      const replayed = await runSavedModelWarmup(executor, context.directory, target);
      if (replayed > 0) this.logger.log(`${where}: replayed ${replayed} warm-up requests`);
    } catch (error) {
      throw located(error, where);
    }
  }

  /**
   * The MetaGraph rewritten into one TensorFlow.js graph, and the checkpoint reader its
   * weights come from (the caller closes it). Signatures that cannot run are said in the log.
   */
  private async servingGraph(
    context: LoadContext,
    metaGraph: MetaGraphDefMsg,
    where: string,
  ): Promise<{ serving: ServingGraph; reader: CheckpointReader | undefined }> {
    const variablesDir = join(context.directory, 'variables');
    const index = await readCheckpointIndex(variablesDir);
    // Ops only the ONNX translation runs are let through here; the TensorFlow.js path checks.
    const onnx = (context.engine ?? 'auto') !== 'tfjs';
    const serving = buildServingGraph(
      metaGraph,
      index,
      (op) => this.runsOnTfjs(op) || (onnx && TF_ONNX_OPS.has(op)),
    );
    for (const [key, reason] of serving.unavailable) {
      const parsed = this.exampleParser && serving.parsing.has(key);
      if (!parsed && key !== INIT_OP_SIGNATURE) this.logger.warn(`${where}: ${reason}`);
    }
    const reader = index ? await CheckpointReader.open(variablesDir, index) : undefined;
    return { serving, reader };
  }

  private runsOnTfjs(op: string): boolean {
    return TFJS_OPS.has(op) || this.customOps.has(op);
  }

  /**
   * Refuses a serving graph with ops TensorFlow.js does not run (let through for the ONNX
   * translation, which did not happen: `why` says why).
   * @throws ModelLoadError (UNIMPLEMENTED) naming the ops
   */
  private assertRunsOnTfjs(serving: ServingGraph, why: string | undefined): void {
    const ops = new Set<string>();
    for (const node of serving.nodes.values()) if (!this.runsOnTfjs(node.op)) ops.add(node.op);
    for (const fn of referencedFunctions(serving.nodes, serving.library)) {
      for (const node of fn.nodeDef ?? []) {
        const op = node.op ?? '';
        if (!this.runsOnTfjs(op) && !serving.library.has(op)) ops.add(op);
      }
    }
    if (ops.size === 0) return;
    throw new ModelLoadError(
      `uses ops TensorFlow.js does not run: ${[...ops].sort().join(', ')}${why ? `, and is not on ONNX Runtime (${why})` : ''}; register kernels for them with SavedModelLoader's customOps option`,
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }

  /**
   * The serving graph as a TensorFlow.js model with the checkpoint's weights; closes `reader`.
   */
  private async translate(
    serving: ServingGraph,
    reader: CheckpointReader | undefined,
    engineNote: string | undefined,
  ): Promise<SavedModelExecutor> {
    try {
      this.assertRunsOnTfjs(serving, engineNote);
    } catch (error) {
      await reader?.close();
      throw error;
    }
    const feed = weightStream(serving.graph.weights, reader);
    let model;
    try {
      // Streamed weight by weight, so the model's values are never all held twice.
      const artifacts: tf.io.ModelArtifacts = {
        ...graphArtifacts(serving.graph),
        getWeightStream: () => feed.stream,
      };
      model = await loadGraphModel({ load: () => Promise.resolve(artifacts) });
      // The model keeps its artifacts: drop the stream factory, which holds the weight list.
      delete artifacts.getWeightStream;
    } finally {
      await reader?.close();
    }
    if (feed.failure() !== undefined) {
      model.dispose();
      throw feed.failure();
    }
    return new SavedModelExecutor(
      model,
      serving.signatures,
      serving.unavailable,
      serving.parsing,
      this.exampleParser,
      engineNote,
    );
  }
}

function notASavedModelPb(files: readonly string[]): ModelLoadError {
  if (files.includes(SAVED_MODEL_PBTXT)) {
    return new ModelLoadError(
      'saved_model.pbtxt (the text format) is not supported: export the SavedModel in binary form (saved_model.pb)',
      GrpcStatusCode.UNIMPLEMENTED,
    );
  }
  return new ModelLoadError(
    `holds a legacy SessionBundle (${SESSION_BUNDLE_META}), not a SavedModel: there is no saved_model.pb, and TF Serving no longer loads SessionBundles either; re-export the model as a SavedModel`,
    GrpcStatusCode.NOT_FOUND,
  );
}

/** The error with the model and version in front; foreign errors become ModelLoadErrors. */
function located(error: unknown, where: string): ModelServingError {
  if (error instanceof ModelServingError && error.message.startsWith(where)) return error;
  if (error instanceof IncompleteVersionError) {
    return new IncompleteVersionError(`${where}: ${error.message}`);
  }
  if (error instanceof ModelLoadError)
    return new ModelLoadError(`${where}: ${error.message}`, error.code);
  if (error instanceof ModelServingError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ModelLoadError(`${where}: TensorFlow.js could not load the SavedModel: ${reason}`);
}
