import { join } from 'node:path';
import { type LoggerService } from '@nestjs/common';
import { get, post } from './helpers/http.js';
import {
  kerasConvertedMath,
  sequentialMath,
  writeKerasConvertedModel,
  writeMultiIoModel,
  writeReshapeModel,
  writeSequentialModel,
} from './helpers/layers-models.js';
import { tempDir } from './helpers/model-dirs.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

/** Keeps every WARN the app writes, to assert the product's own words. */
class WarnRecorder implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  debug(): void {}
  verbose(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

const MODELS = ['sequential', 'multi_io', 'keras_converted', 'reshape_fixed', 'reshape_dynamic'];

describe.each(['express', 'fastify'] as const)('layers models of every form on %s', (platform) => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  const logger = new WarnRecorder();
  const predict = (model: string, body: unknown) =>
    post(`${serving.url}/v1/models/${model}:predict`, JSON.stringify(body));

  beforeAll(async () => {
    base = await tempDir('layers-models');
    await writeSequentialModel(join(base.path, 'sequential', '1'));
    await writeMultiIoModel(join(base.path, 'multi_io', '1'));
    await writeKerasConvertedModel(join(base.path, 'keras_converted', '1'));
    await writeReshapeModel(join(base.path, 'reshape_fixed', '1'), [3]);
    await writeReshapeModel(join(base.path, 'reshape_dynamic', '1'), [-1]);
    serving = await startServingApp(
      {
        models: MODELS.map((name) => ({ name, basePath: join(base.path, name) })),
        maxLoadRetries: 0,
      },
      platform,
      { logger },
    );
  });

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  describe('tf.sequential()', () => {
    it('names its signature by the layers, as Keras exports a Sequential', async () => {
      const res = await get(`${serving.url}/v1/models/sequential/metadata`);
      expect(res.status).toBe(200);
      const signature = res.json.metadata.signature_def.signature_def.serving_default;
      expect(Object.keys(signature.inputs)).toEqual(['hidden_input']);
      expect(Object.keys(signature.outputs)).toEqual(['out']);
      expect(signature.inputs.hidden_input.tensor_shape.dim).toEqual([
        { size: '-1', name: '' },
        { size: '3', name: '' },
      ]);
      expect(signature.method_name).toBe('tensorflow/serving/predict');
    });

    it('predicts in row and columnar form, by alias and bare', async () => {
      const rows = [
        [1, 2, 3],
        [-1, 0.5, 0],
        [0, 0, 0],
      ];
      const expected = rows.map((x) => [sequentialMath(x)]);
      const bare = await predict('sequential', { instances: rows });
      expect(bare.status).toBe(200);
      expect(bare.json).toEqual({ predictions: expected });
      const named = await predict('sequential', {
        instances: rows.map((x) => ({ hidden_input: x })),
      });
      expect(named.json).toEqual({ predictions: expected });
      const columnar = await predict('sequential', { inputs: { hidden_input: rows } });
      expect(columnar.json).toEqual({ outputs: expected });
    });

    it('answers v2 infer with the layer names', async () => {
      const res = await post(
        `${serving.url}/v2/models/sequential/infer`,
        JSON.stringify({
          inputs: [{ name: 'hidden_input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }],
        }),
        'application/json',
      );
      expect(res.status).toBe(200);
      expect(res.json.outputs).toEqual([
        { name: 'out', datatype: 'FP32', shape: [1, 1], data: [sequentialMath([1, 2, 3])] },
      ]);
    });
  });

  describe('a functional model with two inputs and two outputs', () => {
    it('lists both inputs and both outputs under their layer names', async () => {
      const res = await get(`${serving.url}/v1/models/multi_io/metadata`);
      const signature = res.json.metadata.signature_def.signature_def.serving_default;
      expect(Object.keys(signature.inputs).sort()).toEqual(['a', 'b']);
      expect(Object.keys(signature.outputs).sort()).toEqual(['scaled', 'sum']);
    });

    it('computes both outputs, and each one alone with output filtering by columnar name', async () => {
      const res = await predict('multi_io', {
        instances: [
          { a: [1, 2], b: [3, 4] },
          { a: [-1, 0.5], b: [0, 10] },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        predictions: [
          { sum: [10], scaled: [2, 4] },
          { sum: [9.5], scaled: [-2, 1] },
        ],
      });
      const columnar = await predict('multi_io', { inputs: { a: [[1, 1]], b: [[1, 1]] } });
      expect(columnar.json).toEqual({ outputs: { sum: [[4]], scaled: [[2, 2]] } });
    });
  });

  describe('a Keras Sequential as tensorflowjs_converter writes it', () => {
    it('serves its InputLayer and last Dense by name with the right values', async () => {
      const meta = await get(`${serving.url}/v1/models/keras_converted/metadata`);
      const signature = meta.json.metadata.signature_def.signature_def.serving_default;
      expect(Object.keys(signature.inputs)).toEqual(['dense_input']);
      expect(Object.keys(signature.outputs)).toEqual(['dense_1']);
      const rows = [
        [1, 2],
        [0.5, -4],
      ];
      const res = await predict('keras_converted', { instances: rows });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ predictions: rows.map((x) => [kerasConvertedMath(x)]) });
    });
  });

  describe('a signature that cannot run at load', () => {
    it('is a load error in the version status when its shapes are fully known', async () => {
      const res = await get(`${serving.url}/v1/models/reshape_fixed`);
      expect(res.status).toBe(200);
      const [status] = res.json.model_version_status;
      expect(status.state).toBe('END');
      expect(status.status.error_code).toBe('INVALID_ARGUMENT');
      expect(status.status.error_message).toMatch(
        /^model 'reshape_fixed' version 1: signature 'serving_default' cannot run: on zero-filled inputs of its declared shapes it failed with: .*3.*/,
      );
      const predictRes = await predict('reshape_fixed', { instances: [1, 2, 3] });
      expect(predictRes.status).toBe(404);
    });

    it('stays available with a WARN naming model, signature and cause when a shape was guessed', async () => {
      const warning = logger.warnings.find((w) => w.includes("model 'reshape_dynamic'"));
      expect(warning).toMatch(
        /^model 'reshape_dynamic' version 1: signature 'serving_default' failed on zero-filled inputs \(unknown dimensions fed as 1, strings empty\), so it stays available but may fail on real requests: /,
      );
      const res = await predict('reshape_dynamic', { inputs: { x: [1, 2, 3, 4] } });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        outputs: [
          [1, 2],
          [3, 4],
        ],
      });
    });
  });
});
