import type * as tf from '@tensorflow/tfjs-core';
import { io } from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { type SignatureMap } from '../../models/signature.js';
import { type CheckpointReader } from './checkpoint-reader.js';
import { type ExampleParsingSpec } from './example-parsing.js';
import { type ExampleParser, SavedModelExecutor } from './saved-model.executor.js';
import { type ServingGraph } from './saved-model-graph.js';
import { type WeightFeed, weightStream } from './weight-stream.js';

/**
 * A SavedModel after translation, as plain data: the tfjs graph, its weights in one buffer and
 * what the executor needs of the signatures. Translating is the expensive part of a load, so
 * it is done once on the main thread and these artifacts are sent to every worker thread.
 */
export interface SavedModelArtifacts {
  readonly model: Omit<tf.io.ModelArtifacts, 'getWeightStream'> & { weightData: ArrayBuffer };
  readonly signatures: SignatureMap;
  readonly unavailable: readonly (readonly [string, string])[];
  readonly parsing: readonly (readonly [string, ExampleParsingSpec])[];
}

/** A translated SavedModel as the worker pool sends it to each worker thread. */
export interface SavedModelWorkerLoad {
  readonly engine: 'saved-model';
  readonly artifacts: SavedModelArtifacts;
  /** Set with the `auto` backend: where to say so when the model moves to the CPU. */
  readonly cpuFallback?: string;
  /** The loader's `workerModule` option: where workers find `customOps` and `exampleParser`. */
  readonly workerModule?: string;
  /** Why the version is not on ONNX Runtime, for its status. */
  readonly engineNote?: string;
}

/** The model.json part of a translated graph, without its weights. */
export function graphArtifacts(graph: ServingGraph['graph']): tf.io.ModelArtifacts {
  return {
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
  };
}

/** Reads every weight of the stream into one buffer, or throws the first read failure. */
async function collectWeights(feed: WeightFeed): Promise<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = feed.stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(new Uint8Array(value));
    total += value.byteLength;
  }
  if (feed.failure() !== undefined) throw feed.failure();
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all.buffer;
}

/** The translated graph and its checkpoint weights as portable artifacts. */
export async function portableSavedModel(
  serving: ServingGraph,
  reader: CheckpointReader | undefined,
): Promise<SavedModelArtifacts> {
  const weightData = await collectWeights(weightStream(serving.graph.weights, reader));
  return {
    model: { ...graphArtifacts(serving.graph), weightData },
    signatures: serving.signatures,
    unavailable: [...serving.unavailable],
    parsing: [...serving.parsing],
  };
}

/** Builds the executor of portable artifacts on the active tfjs backend (e.g. in a worker). */
export async function createSavedModelExecutor(
  artifacts: SavedModelArtifacts,
  parser: ExampleParser | undefined,
): Promise<SavedModelExecutor> {
  const model = await loadGraphModel(io.fromMemory(artifacts.model));
  return new SavedModelExecutor(
    model,
    artifacts.signatures,
    new Map(artifacts.unavailable),
    new Map(artifacts.parsing),
    parser,
  );
}
