import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { type TfjsExecutor } from './tfjs.executor.js';
import { TfjsGraphExecutor } from './tfjs-graph.executor.js';
import { TfjsLayersExecutor } from './tfjs-layers.executor.js';
import {
  DEFAULT_SIGNATURE,
  PREDICT_METHOD,
  type SignatureMap,
  type TensorSpec,
} from '../../models/signature.js';
import { dtypeFromTfName, type TensorDType } from '../../tensor/tensor-data.js';
import { type LoadContext, ModelLoader } from '../../models/model.loader.js';
import { MODEL_JSON, readTfjsArtifacts, type TfjsArtifacts } from './tfjs-artifacts.js';

/** A tfjs version as the worker pool sends it to each worker thread. */
export interface TfjsWorkerLoad {
  readonly engine: 'tfjs';
  readonly artifacts: TfjsArtifacts;
  /** Set with the `auto` backend: where to say so when the model moves to the CPU. */
  readonly cpuFallback?: string;
}

/** TensorFlow.js graph and layers models: `model.json` plus weight shards. */
export class TfjsModelLoader extends ModelLoader {
  readonly format = 'tfjs';
  override readonly platform = 'tfjs';

  detect(context: LoadContext): boolean {
    return context.files.includes(MODEL_JSON);
  }

  async load(context: LoadContext): Promise<ModelExecutor> {
    const artifacts = await readTfjsArtifacts(context);
    return buildTfjsExecutor(artifacts, where(context), context.backend === 'auto');
  }

  /** The model as portable artifacts, read once and sent to every worker. */
  async prepareWorkerLoad(context: LoadContext): Promise<TfjsWorkerLoad> {
    const artifacts = await readTfjsArtifacts(context);
    return {
      engine: 'tfjs',
      artifacts,
      ...(context.backend === 'auto' ? { cpuFallback: where(context) } : {}),
    };
  }
}

function where(context: LoadContext): string {
  return `model '${context.modelName}' version ${context.version}`;
}

/**
 * Builds the executor of portable artifacts (on the main thread or in a worker), with load
 * failures as `ModelLoadError`s naming `where`; `cpuFallback` keeps the `auto` backend's move
 * to the CPU backend for kernels the active one lacks.
 */
export async function buildTfjsExecutor(
  artifacts: TfjsArtifacts,
  where: string,
  cpuFallback: boolean,
): Promise<TfjsExecutor> {
  let executor: TfjsExecutor;
  try {
    executor = await createTfjsExecutor(artifacts);
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(
      `${where}: TensorFlow.js could not load the ${artifacts.format}: ${reason}`,
    );
  }
  if (cpuFallback) executor.fallBackToCpu(where);
  return executor;
}

/** Builds the executor of portable artifacts on the active tfjs backend. */
export async function createTfjsExecutor(artifacts: TfjsArtifacts): Promise<TfjsExecutor> {
  const { modelJson } = artifacts;
  const handler = tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    signature: modelJson.signature,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    modelInitializer: modelJson.modelInitializer,
    initializerSignature: modelJson.initializerSignature,
    weightSpecs: artifacts.weightSpecs,
    weightData: artifacts.weightData,
  });
  if (artifacts.format === 'graph-model') {
    const model = await loadGraphModel(handler);
    return new TfjsGraphExecutor(model, graphSignatures(model, modelJson.signature));
  }
  const model = await loadLayersModel(handler);
  return new TfjsLayersExecutor(model, layersSignatures(model));
}

interface JsonTensorInfo {
  name?: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

function specFromJson(alias: string, info: JsonTensorInfo): TensorSpec {
  const dtype = dtypeFromTfName(info.dtype ?? 'DT_FLOAT');
  if (!dtype) throw new ModelLoadError(`tensor '${alias}' has unsupported dtype ${info.dtype}`);
  const shape = info.tensorShape?.unknownRank
    ? undefined
    : (info.tensorShape?.dim ?? []).map((d) => Number(d.size ?? -1));
  return { name: info.name ?? alias, dtype, shape };
}

function graphSignatures(model: GraphModel, signature: unknown): SignatureMap {
  const json = signature as
    | {
        inputs?: Record<string, JsonTensorInfo>;
        outputs?: Record<string, JsonTensorInfo>;
        methodName?: string;
      }
    | undefined;
  if (json?.inputs && json.outputs) {
    const map = (infos: Record<string, JsonTensorInfo>) =>
      Object.fromEntries(
        Object.entries(infos).map(([alias, info]) => [alias, specFromJson(alias, info)]),
      );
    return {
      [DEFAULT_SIGNATURE]: {
        methodName: json.methodName ?? PREDICT_METHOD,
        inputs: map(json.inputs),
        outputs: map(json.outputs),
      },
    };
  }
  const spec = (info: tf.ModelTensorInfo): [string, TensorSpec] => [
    info.name,
    {
      name: `${info.name}:0`,
      dtype: info.dtype as TensorDType,
      shape: info.shape?.map((d) => d ?? -1),
    },
  ];
  return {
    [DEFAULT_SIGNATURE]: {
      methodName: PREDICT_METHOD,
      inputs: Object.fromEntries(model.inputs.map(spec)),
      outputs: Object.fromEntries(model.outputs.map(spec)),
    },
  };
}

interface LayersTensor {
  name: string;
  originalName?: string;
  dtype: string;
  shape: (number | null)[];
  sourceLayer: { name: string };
}

/**
 * Aliases of a layers model's inputs or outputs: the layer names, as Keras' SavedModel export
 * names a signature's tensors. A functional model keeps them in `inputNames`/`outputNames`; a
 * loaded `Sequential` leaves those empty, so they are read from each tensor's source layer
 * (`dense_input` for its implicit input layer, the last layer's name for the output). A layer
 * with several outputs gets `_1`, `_2`… on the later ones.
 */
function layerAliases(names: readonly string[], tensors: readonly LayersTensor[]): string[] {
  if (names.length === tensors.length) return [...names];
  const seen = new Map<string, number>();
  return tensors.map((t) => {
    const base = t.sourceLayer.name;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}_${count}`;
  });
}

function layersSignatures(model: LayersModel): SignatureMap {
  // tfjs suffixes tensor names on every later load in a process (`features_1`); the original
  // name is stable, so signatures built from it are the same for every version and reload.
  const specs = (names: readonly string[], tensors: readonly LayersTensor[]) => {
    const aliases = layerAliases(names, tensors);
    return Object.fromEntries(
      tensors.map((t, i) => [
        aliases[i]!,
        {
          name: t.originalName ?? t.name,
          dtype: t.dtype as TensorDType,
          shape: t.shape.map((d) => d ?? -1),
        },
      ]),
    );
  };
  return {
    [DEFAULT_SIGNATURE]: {
      methodName: PREDICT_METHOD,
      inputs: specs(model.inputNames, model.inputs),
      outputs: specs(model.outputNames, model.outputs),
    },
  };
}
