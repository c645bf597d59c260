// Reading and writing TensorFlow.js `model.json` + weight files on disk, without tfjs-node.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { tf } from './tf.js';

/** The name of the topology file in a TensorFlow.js model directory. */
export const MODEL_JSON = 'model.json';

/** Writes `model.json` and a single weights file holding all of `artifacts.weightData`. */
export async function writeModelArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  weightsFile: string,
  extra: Partial<tf.io.ModelJSON> = {},
): Promise<tf.io.ModelJSON> {
  if (artifacts.modelTopology == null || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('expected a JSON model topology');
  }
  await mkdir(dir, { recursive: true });
  const weightData =
    artifacts.weightData == null
      ? new ArrayBuffer(0)
      : tf.io.concatenateArrayBuffers(
          Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData],
        );
  const modelJson: tf.io.ModelJSON = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    ...extra,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) {
    modelJson.trainingConfig = artifacts.trainingConfig;
  }
  if (artifacts.userDefinedMetadata != null) {
    modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  }
  await writeFile(join(dir, weightsFile), new Uint8Array(weightData));
  await writeFile(join(dir, MODEL_JSON), `${JSON.stringify(modelJson, null, 2)}\n`);
  return modelJson;
}

/** Reads and parses `<dir>/model.json`. */
export async function readModelJson(dir: string): Promise<tf.io.ModelJSON> {
  return JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
}

/**
 * A load handler for a model directory on the local file system, for
 * `tf.loadGraphModel(handler)` and `tf.loadLayersModel(handler)`.
 */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = await readModelJson(dir);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            buffers.push(new Uint8Array(await readFile(join(dir, path))).buffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
