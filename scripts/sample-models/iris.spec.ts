import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tfl from '@tensorflow/tfjs-layers';

import {
  IRIS_CLASSES,
  IRIS_EPOCHS,
  IRIS_INPUT,
  IRIS_OUTPUT,
  IRIS_WEIGHTS,
  irisDataset,
  loadedIrisAccuracy,
  trainIris,
} from './iris.js';
import { fileLoadHandler, readModelJson } from './model-io.js';
import { tf, useCpuBackend } from './tf.js';

describe('iris sample model', () => {
  let dir: string;

  beforeAll(async () => {
    tf.enableProdMode();
    await useCpuBackend();
    dir = await mkdtemp(join(tmpdir(), 'iris-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has 150 samples of 4 features, 50 per class, interleaved', () => {
    const data = irisDataset();
    expect(IRIS_CLASSES).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(data.features).toHaveLength(150);
    expect(data.features.every((f) => f.length === 4)).toBe(true);
    expect(data.features[0]).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(data.labels.slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    expect([0, 1, 2].map((c) => data.labels.filter((l) => l === c).length)).toEqual([50, 50, 50]);
  });

  it('trains deterministically, saves a standard layers model and loads it back', async () => {
    const v1 = join(dir, '1');
    const again = join(dir, 'again');
    const accuracy = await trainIris(v1, IRIS_EPOCHS[1]);
    expect(accuracy).toBeGreaterThan(1 / 3);
    expect(await trainIris(again, IRIS_EPOCHS[1])).toBe(accuracy);
    expect(await loadedIrisAccuracy(v1)).toBe(accuracy);
    expect((await readdir(v1)).sort()).toEqual(['model.json', IRIS_WEIGHTS]);

    const json = await readModelJson(v1);
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual([IRIS_WEIGHTS]);

    const model = await tfl.loadLayersModel(fileLoadHandler(v1));
    try {
      expect(model.inputNames).toEqual([IRIS_INPUT]);
      expect(model.outputNames).toEqual([IRIS_OUTPUT]);
      expect(model.inputs[0]?.shape).toEqual([null, 4]);
      expect(model.outputs[0]?.shape).toEqual([null, 3]);
    } finally {
      model.dispose();
    }
  });
});
