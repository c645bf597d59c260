/**
 * @jest-environment ./test/single-realm.environment.mjs
 */
// onnxruntime-node makes its output arrays in the main realm (see that environment's comment).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  cnnForward,
  writeCnnSavedModel,
} from '../../../../../test/helpers/saved-model-writer/cnn-export.js';
import { fillRandom } from '../../../../../test/helpers/saved-model-writer/cnn-model.js';
import {
  mlpForward,
  writeMlpSavedModel,
} from '../../../../../test/helpers/saved-model-writer/mlp-export.js';
import { describeIfPresent, SHARED } from '../../../../../test/helpers/paths.js';
import { encodeSavedModel } from '../../../../../test/helpers/saved-model-writer/saved-model-pb.js';
import { compareAll, loadBoth } from '../../../../../test/helpers/tf-onnx-parity.js';
import { type ModelExecutor } from '../../models/model.executor.js';
import { type NumericDType, type TensorData } from '../../tensor/tensor-data.js';
import { typedValues } from '../../tensor/typed-values.js';
import { type SavedModelExecutor } from '../saved-model/saved-model.executor.js';
import { SavedModelLoader } from '../saved-model/saved-model.loader.js';

const TF_SERVING = join(SHARED, 'testdata', 'tf-serving');
const TFJS_NODE = join(SHARED, 'testdata', 'tfjs-node-saved-models');

describe('SavedModels translated to ONNX match TensorFlow.js on the same frozen graph', () => {
  let dir: string;
  const open: ModelExecutor[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tf-onnx-'));
  });

  afterAll(async () => {
    await Promise.all(open.map(async (e) => e.dispose()));
    await rm(dir, { recursive: true, force: true });
  });

  async function both(directory: string) {
    const loaded = await loadBoth(directory);
    open.push(loaded.onnx, loaded.tfjs);
    return loaded;
  }

  it.each(['tf1', 'tf2'] as const)(
    "the writer's %s MLP, and as its weights compute",
    async (style) => {
      const weights = await writeMlpSavedModel(join(dir, `mlp-${style}`), {
        layers: [4, 16, 8, 3],
        style,
      });
      const { onnx, tfjs } = await both(join(dir, `mlp-${style}`));
      expect(await compareAll(onnx, tfjs as SavedModelExecutor)).toBe(1);
      const x = [
        [1, -2, 0.5, 3],
        [0.25, 0, -1, 2],
      ];
      const out = await onnx.run('serving_default', {
        x: { dtype: 'float32', shape: [2, 4], data: Float32Array.from(x.flat()) },
      });
      const expected = mlpForward(weights, x).flat();
      Array.from(Object.values(out)[0]!.data as Float32Array).forEach((v, i) =>
        expect(v).toBeCloseTo(expected[i]!, 5),
      );
    },
  );

  it.each(['tf1', 'tf2'] as const)(
    "the writer's %s CNN (Conv2D, MaxPool, Reshape, Softmax)",
    async (style) => {
      const params = await writeCnnSavedModel(join(dir, `cnn-${style}`), {
        height: 8,
        width: 8,
        channels: 3,
        filters: [4, 8],
        kernel: 3,
        dense: 16,
        classes: 5,
        style,
      });
      const { onnx, tfjs } = await both(join(dir, `cnn-${style}`));
      expect(await compareAll(onnx, tfjs as SavedModelExecutor)).toBe(1);
      const flat = new Float32Array(2 * 8 * 8 * 3);
      fillRandom(flat, 5, 1);
      const images = [0, 1].map((n) =>
        Array.from({ length: 8 }, (_, h) =>
          Array.from({ length: 8 }, (_, w) =>
            Array.from({ length: 3 }, (_, c) => flat[((n * 8 + h) * 8 + w) * 3 + c]!),
          ),
        ),
      );
      const out = await onnx.run('serving_default', {
        x: { dtype: 'float32', shape: [2, 8, 8, 3], data: flat },
      });
      const expected = cnnForward(params, images).flat();
      Array.from(Object.values(out)[0]!.data as Float32Array).forEach((v, i) =>
        expect(v).toBeCloseTo(expected[i]!, 5),
      );
    },
  );

  describeIfPresent(TF_SERVING)("TF Serving's test SavedModels", () => {
    it.each([
      'saved_model_half_plus_two_cpu/00000123',
      'saved_model_half_plus_two_tf2_cpu/00000123',
      'saved_model_half_plus_two_2_versions/00000123',
      'saved_model_half_plus_two_2_versions/00000124',
    ])('%s: every signature, classify and regress included', async (model) => {
      const { onnx, tfjs } = await both(join(TF_SERVING, model));
      expect(await compareAll(onnx, tfjs as SavedModelExecutor)).toBeGreaterThanOrEqual(5);
      const y = await onnx.run('serving_default', {
        x: { dtype: 'float32', shape: [3, 1], data: Float32Array.from([1, 2, 3]) },
      });
      expect(Array.from(y['y']!.data as Float32Array)).toEqual([2.5, 3, 3.5]);
    });
  });

  describeIfPresent(TFJS_NODE)("tfjs-node's test SavedModels, with their expected outputs", () => {
    const ints = (values: number[], dtype: TensorData['dtype'] = 'int32'): TensorData => ({
      dtype,
      shape: [values.length],
      data: Int32Array.from(values),
    });
    it.each([
      [
        'times_three_float',
        'serving_default',
        { x: { dtype: 'float32', shape: [3], data: Float32Array.from([1, 2, 3]) } },
        { output_0: [3, 6, 9] },
      ],
      ['times_two_int', 'serving_default', { x: ints([1, 2, 3]) }, { output_0: [2, 4, 6] }],
      ['int64_multiply', 'serving_default', { x: ints([3, 4]) }, { output_0: [18, 24] }],
      [
        'module_with_multiple_signatures',
        'timestwo',
        { x: ints([1, 2, 3]) },
        { output_0: [2, 4, 6] },
      ],
      [
        'model_single_input_multi_output',
        'serving_default',
        { x: ints([1, 2, 3]) },
        { output_0: [2, 4, 6], output_1: [1, 2, 3] },
      ],
      [
        'model_multi_output',
        'serving_default',
        { x: ints([1, 2, 3]), y: ints([1, 2, 3]) },
        { output_0: [2, 4, 6], output_1: [1, 2, 3] },
      ],
    ] as const)('%s', async (model, key, inputs, expected) => {
      const { onnx, tfjs } = await both(join(TFJS_NODE, model));
      await compareAll(onnx, tfjs as SavedModelExecutor);
      const spec = onnx.signatures[key]!;
      const fed = Object.fromEntries(
        Object.entries(inputs).map(([alias, t]) => [
          alias,
          {
            ...t,
            dtype: spec.inputs[alias]!.dtype,
            data:
              t.dtype === 'float32'
                ? t.data
                : typedValues(
                    spec.inputs[alias]!.dtype as NumericDType,
                    Array.from(t.data as Int32Array),
                    alias,
                  ),
          },
        ]),
      );
      const out = await onnx.run(key, fed);
      for (const [alias, values] of Object.entries(expected)) {
        expect(Array.from(out[alias]!.data as ArrayLike<number>, Number)).toEqual(values);
      }
    });

    it('uint8_multiply: a scalar cast from uint8 in the graph', async () => {
      const { onnx, tfjs } = await both(join(TFJS_NODE, 'uint8_multiply'));
      await compareAll(onnx, tfjs as SavedModelExecutor);
      const spec = onnx.signatures['serving_default']!.inputs;
      const [alias] = Object.keys(spec);
      const out = await onnx.run('serving_default', {
        [alias!]: {
          dtype: spec[alias!]!.dtype,
          shape: [],
          data: Int32Array.from([3]),
        },
      });
      expect(Array.from(Object.values(out)[0]!.data as ArrayLike<number>, Number)).toEqual([18]);
    });
  });
});

describe('ops only the ONNX translation runs', () => {
  let dir: string;
  const f32 = { type: 'DT_FLOAT' };
  const graph = {
    graphDef: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: f32 } },
        { name: 'y', op: 'Softsign', input: ['x'], attr: { T: f32 } },
      ],
    },
    signatureDef: {
      serving_default: {
        inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: -1 }] } } },
        outputs: { y: { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: -1 }] } } },
        methodName: 'tensorflow/serving/predict',
      },
    },
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tf-onnx-only-'));
    await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const context = async (engine: 'auto' | 'tfjs') => ({
    modelName: 'softsign',
    version: 1,
    directory: dir,
    files: await readdir(dir),
    backend: 'cpu' as const,
    engine,
  });

  it('serve on ONNX Runtime (Softsign, which TensorFlow.js lacks)', async () => {
    const executor = await new SavedModelLoader().load(await context('auto'));
    try {
      const out = await executor.run('serving_default', {
        x: { dtype: 'float32', shape: [2], data: Float32Array.of(1, -3) },
      });
      expect(Array.from(out['y']!.data as Float32Array)).toEqual([0.5, -0.75]);
    } finally {
      await executor.dispose();
    }
  });

  it('are a load error naming them when the model is pinned to TensorFlow.js', async () => {
    await expect(new SavedModelLoader().load(await context('tfjs'))).rejects.toThrow(
      /uses ops TensorFlow\.js does not run: Softsign/,
    );
  });
});
