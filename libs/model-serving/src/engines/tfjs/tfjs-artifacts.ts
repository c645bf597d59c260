import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type io } from '@tensorflow/tfjs-core';
import { IncompleteVersionError } from '../../errors/incomplete-version.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { type LoadContext } from '../../models/model.loader.js';

export const MODEL_JSON = 'model.json';

/**
 * A TensorFlow.js model as portable data: the parsed `model.json` and its weights in one
 * buffer. Plain data, so it can cross a worker-thread boundary.
 */
export interface TfjsArtifacts {
  readonly format: 'graph-model' | 'layers-model';
  readonly modelJson: io.ModelJSON;
  readonly weightSpecs: io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
}

const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes a weight takes in its shard, or undefined when it cannot be known in advance. */
function declaredBytes(spec: io.WeightsManifestEntry): number | undefined {
  const elements = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  if (spec.dtype === 'string') return undefined;
  const bytes = BYTES_PER_ELEMENT[dtype];
  return bytes === undefined ? undefined : elements * bytes;
}

function where(context: LoadContext, file: string): string {
  return `model '${context.modelName}' version ${context.version}: ${file}`;
}

/**
 * Reads `model.json` and its weight shards. A missing file or a shard shorter than the manifest
 * declares means the directory is still being written: `IncompleteVersionError`. Anything
 * unreadable is a `ModelLoadError` naming the file (relative to the version directory).
 */
export async function readTfjsArtifacts(context: LoadContext): Promise<TfjsArtifacts> {
  let text: string;
  try {
    text = await readFile(join(context.directory, MODEL_JSON), 'utf8');
  } catch {
    throw new IncompleteVersionError(`${where(context, MODEL_JSON)} is missing`);
  }
  let modelJson: io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as io.ModelJSON;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(`${where(context, MODEL_JSON)} is not valid JSON: ${reason}`);
  }
  if (typeof modelJson !== 'object' || modelJson === null || !modelJson.modelTopology) {
    throw new ModelLoadError(`${where(context, MODEL_JSON)} has no modelTopology`);
  }
  const format = detectTfjsFormat(modelJson);
  if (!format) {
    throw new ModelLoadError(
      `${where(context, MODEL_JSON)} is neither a TensorFlow.js graph model nor a layers model`,
    );
  }
  const manifest = modelJson.weightsManifest ?? [];
  if (!Array.isArray(manifest)) {
    throw new ModelLoadError(`${where(context, MODEL_JSON)}: weightsManifest must be a list`);
  }
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    let expected: number | undefined = 0;
    for (const spec of group.weights) {
      weightSpecs.push(spec);
      const bytes = declaredBytes(spec);
      expected = expected === undefined || bytes === undefined ? undefined : expected + bytes;
    }
    let actual = 0;
    for (const path of group.paths) {
      if (path.includes('..') || path.startsWith('/')) {
        throw new ModelLoadError(
          `${where(context, MODEL_JSON)}: weight path '${path}' leaves the version directory`,
        );
      }
      const file = join(context.directory, path);
      const size = await stat(file).then(
        (s) => s.size,
        () => -1,
      );
      if (size < 0) throw new IncompleteVersionError(`${where(context, path)} is missing`);
      actual += size;
      buffers.push(await readFile(file));
    }
    if (expected !== undefined && actual < expected) {
      throw new IncompleteVersionError(
        `${where(context, group.paths.join(', '))} holds ${actual} bytes, the manifest declares ${expected}`,
      );
    }
    if (expected !== undefined && actual > expected) {
      throw new ModelLoadError(
        `${where(context, group.paths.join(', '))} holds ${actual} bytes, more than the ${expected} the manifest declares`,
      );
    }
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { format, modelJson, weightSpecs, weightData };
}

/** `graph-model` or `layers-model`, from `format` or, in older files, the topology's shape. */
export function detectTfjsFormat(modelJson: io.ModelJSON): TfjsArtifacts['format'] | undefined {
  if (modelJson.format === 'graph-model' || modelJson.format === 'layers-model') {
    return modelJson.format;
  }
  const topology = modelJson.modelTopology as Record<string, unknown> | undefined;
  if (topology && Array.isArray(topology['node'])) return 'graph-model';
  if (topology && (topology['class_name'] || topology['model_config'])) return 'layers-model';
  return undefined;
}
