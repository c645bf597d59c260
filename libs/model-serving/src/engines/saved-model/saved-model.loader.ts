import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type OpExecutor, registerOp } from '@tensorflow/tfjs-converter';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { ensureKernels } from '../../models/kernel-check.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { parseExamples } from './parse-examples.js';
import { type LoadContext, ModelLoader } from '../../models/model.loader.js';
import { CheckpointReader } from './checkpoint-reader.js';
import { readCheckpointIndex } from './read-checkpoint-index.js';
import { SERVE_TAGS, selectMetaGraph } from './meta-graph.js';
import { loadNativeSavedModel, selectNativeSavedModel } from './native-saved-model.js';
import { type ExampleParser, SavedModelExecutor } from './saved-model.executor.js';
import { runSavedModelWarmup } from './saved-model-warmup.js';
import { buildServingGraph } from './saved-model-graph.js';
import { INIT_OP_SIGNATURE } from './signature-specs.js';
import { TFJS_OPS } from './tfjs-ops.js';
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
  private readonly tags: readonly string[];
  private readonly customOps: ReadonlySet<string>;
  private readonly exampleParser?: ExampleParser;
  private readonly logger = new Logger('ModelServing');

  constructor(options: SavedModelLoaderOptions = {}) {
    super();
    this.tags = options.tags ?? SERVE_TAGS;
    for (const [name, kernel] of Object.entries(options.customOps ?? {})) registerOp(name, kernel);
    this.customOps = new Set(Object.keys(options.customOps ?? {}));
    this.exampleParser = options.exampleParser ?? parseExamples;
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

  private async loadVersion(context: LoadContext, where: string): Promise<ModelExecutor> {
    if (!context.files.includes(SAVED_MODEL_PB)) throw notASavedModelPb(context.files);
    const bytes = await readFile(join(context.directory, SAVED_MODEL_PB)).catch(
      (error: unknown) => {
        throw unreadable(SAVED_MODEL_PB, error);
      },
    );
    const metaGraph = selectMetaGraph(decodeSavedModel(bytes), this.tags);
    const native = await selectNativeSavedModel(context.backend);
    const executor = native
      ? await loadNativeSavedModel(
          native,
          context.directory,
          this.tags,
          metaGraph.signatureDef ?? {},
        )
      : await this.translate(context, metaGraph, where);
    try {
      if (executor instanceof SavedModelExecutor) {
        await ensureKernels(executor, context.backend, where, this.logger);
      } else {
        this.logger.log(`${where} runs on tfjs-node's native SavedModel loader (unverified here)`);
      }
      // TF Serving replays warm-up requests before the version becomes available.
      if (context.enableModelWarmup ?? true) {
        const target = { model: context.modelName, version: context.version };
        const replayed = await runSavedModelWarmup(executor, context.directory, target);
        if (replayed > 0) this.logger.log(`${where}: replayed ${replayed} warm-up requests`);
      }
    } catch (error) {
      executor.dispose();
      throw error;
    }
    return executor;
  }

  /** The MetaGraph rewritten into one TensorFlow.js graph with the checkpoint's weights. */
  private async translate(
    context: LoadContext,
    metaGraph: MetaGraphDefMsg,
    where: string,
  ): Promise<SavedModelExecutor> {
    const variablesDir = join(context.directory, 'variables');
    const index = await readCheckpointIndex(variablesDir);
    const serving = buildServingGraph(
      metaGraph,
      index,
      (op) => TFJS_OPS.has(op) || this.customOps.has(op),
    );
    const reader = index ? await CheckpointReader.open(variablesDir, index) : undefined;
    const { graph } = serving;
    const feed = weightStream(graph.weights, reader);
    let model;
    try {
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: graph.modelTopology,
        format: 'graph-model',
        generatedBy: 'TensorFlow SavedModel',
        convertedBy: 'nest-model-serving',
        weightSpecs: graph.weightSpecs,
        ...(graph.modelInitializer
          ? {
              modelInitializer: graph.modelInitializer,
              initializerSignature: graph.initializerSignature,
            }
          : {}),
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
    const executor = new SavedModelExecutor(
      model,
      serving.signatures,
      serving.unavailable,
      serving.parsing,
      this.exampleParser,
    );
    for (const [key, reason] of serving.unavailable) {
      const parsed = this.exampleParser && serving.parsing.has(key);
      if (!parsed && key !== INIT_OP_SIGNATURE) this.logger.warn(`${where}: ${reason}`);
    }
    return executor;
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
