import { join } from 'node:path';
import { type LoggerService } from '@nestjs/common';
import { ModelRegistry } from 'nest-model-serving';
import { call, predictionClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, SHARED } from './helpers/paths.js';
import {
  cnnForward,
  type CnnParams,
  writeCnnSavedModel,
} from './helpers/saved-model-writer/cnn-export.js';
import { fillRandom } from './helpers/saved-model-writer/cnn-model.js';
import { writeCumsumSavedModel } from './helpers/saved-model-writer/cumsum-export.js';
import {
  type DenseWeights,
  mlpForward,
  writeMlpSavedModel,
} from './helpers/saved-model-writer/mlp-export.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const TF_SERVING = join(SHARED, 'testdata', 'tf-serving');
const CNN = { height: 8, width: 8, channels: 3, filters: [4, 8], kernel: 3, dense: 16, classes: 5 };

/** A logger that keeps what it is told, to check what the server says about engines. */
class KeptLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) {
    this.lines.push(String(message));
  }
  warn(message: unknown) {
    this.lines.push(String(message));
  }
  error(message: unknown) {
    this.lines.push(String(message));
  }
}

const floats = (values: number[], dims: number[]) => ({
  dtype: 'DT_FLOAT',
  tensor_shape: { dim: dims.map((size) => ({ size })) },
  float_val: values,
});

describeIfPresent(join(TF_SERVING, 'saved_model_half_plus_two_cpu'))(
  'SavedModels translated to ONNX and served on ONNX Runtime (REST and gRPC)',
  () => {
    let serving: ServingApp;
    let base: { path: string; cleanup: () => Promise<void> };
    let weights: DenseWeights[];
    let cnn: CnnParams;
    const logger = new KeptLogger();
    let registry: ModelRegistry;

    beforeAll(async () => {
      base = await tempDir('saved-model-onnx');
      weights = await writeMlpSavedModel(join(base.path, 'mlp', '1'), {
        layers: [4, 8, 3],
        style: 'tf2',
      });
      cnn = await writeCnnSavedModel(join(base.path, 'cnn', '1'), {
        ...CNN,
        style: 'tf1',
        seed: 3,
      });
      await writeCumsumSavedModel(join(base.path, 'cumsum', '1'));
      await writeMlpSavedModel(join(base.path, 'mlp_tfjs', '1'), {
        layers: [4, 8, 3],
        style: 'tf1',
      });
      serving = await startServingApp(
        {
          pollIntervalMs: 0,
          maxLoadRetries: 0,
          workers: 1,
          batching: true,
          models: [
            { name: 'half_plus_two', basePath: join(TF_SERVING, 'saved_model_half_plus_two_cpu') },
            { name: 'mlp', basePath: join(base.path, 'mlp') },
            { name: 'cnn', basePath: join(base.path, 'cnn') },
            { name: 'cumsum', basePath: join(base.path, 'cumsum') },
            { name: 'mlp_tfjs', basePath: join(base.path, 'mlp_tfjs'), engine: 'tfjs' },
          ],
        },
        'express',
        { grpc: true, logger },
      );
      registry = serving.app.get(ModelRegistry);
    }, 120_000);

    afterAll(async () => {
      await serving?.app.close();
      await base?.cleanup();
    });

    const engine = (model: string) => registry.engine(model);

    it('runs every translatable SavedModel on ONNX Runtime, and says so', () => {
      for (const model of ['half_plus_two', 'mlp', 'cnn']) {
        expect({ model, engine: engine(model) }).toEqual({ model, engine: 'onnxruntime' });
      }
      expect(logger.lines.join('\n')).toContain(
        "model 'mlp' version 1 runs in 1 worker threads on onnxruntime",
      );
    });

    it('answers half_plus_two over REST: predict, regress and classify', async () => {
      const predict = await post(
        `${serving.url}/v1/models/half_plus_two:predict`,
        '{"instances": [1, 2, 5]}',
      );
      expect(predict.json).toEqual({ predictions: [2.5, 3, 4.5] });
      const regress = await post(
        `${serving.url}/v1/models/half_plus_two:regress`,
        JSON.stringify({ signature_name: 'regress_x_to_y2', examples: [{ x: 1.5 }, { x: 4.5 }] }),
      );
      expect(regress.json).toEqual({ results: [3.75, 5.25] });
      const classify = await post(
        `${serving.url}/v1/models/half_plus_two:classify`,
        JSON.stringify({ signature_name: 'classify_x_to_y', examples: [{ x: 2.5 }] }),
      );
      expect(classify.json).toEqual({ results: [[['', 3.25]]] });
    });

    it('keeps the metadata TF Serving writes', async () => {
      const res = await get(`${serving.url}/v1/models/half_plus_two/metadata`);
      const signatures = res.json.metadata.signature_def.signature_def;
      expect(Object.keys(signatures).sort()).toEqual([
        'classify_x_to_y',
        'regress_x2_to_y3',
        'regress_x_to_y',
        'regress_x_to_y2',
        'serving_default',
      ]);
      expect(signatures.serving_default.inputs.x).toEqual({
        dtype: 'DT_FLOAT',
        tensor_shape: {
          dim: [
            { size: '-1', name: '' },
            { size: '1', name: '' },
          ],
          unknown_rank: false,
        },
        name: 'x:0',
      });
    });

    it("answers the writer's MLP and CNN as their weights compute", async () => {
      const x = [
        [1, -2, 0.5, 3],
        [0.25, 0, -1, 2],
      ];
      const mlp = await post(
        `${serving.url}/v1/models/mlp:predict`,
        JSON.stringify({ instances: x }),
      );
      const expected = mlpForward(weights, x);
      (mlp.json.predictions as number[][]).forEach((row, r) =>
        row.forEach((v, j) => expect(Math.abs(v - expected[r]![j]!)).toBeLessThan(1e-5)),
      );
      const flat = new Float32Array(2 * 8 * 8 * 3);
      fillRandom(flat, 9, 1);
      const images = [0, 1].map((n) =>
        Array.from({ length: 8 }, (_, h) =>
          Array.from({ length: 8 }, (_, w) =>
            Array.from({ length: 3 }, (_, c) => flat[((n * 8 + h) * 8 + w) * 3 + c]!),
          ),
        ),
      );
      const res = await post(
        `${serving.url}/v1/models/cnn:predict`,
        JSON.stringify({ instances: images }),
      );
      const probabilities = cnnForward(cnn, images);
      (res.json.predictions as number[][]).forEach((row, r) =>
        row.forEach((v, j) => expect(Math.abs(v - probabilities[r]![j]!)).toBeLessThan(1e-5)),
      );
    });

    describeIfPresent(REFERENCE_PROTOS)('over gRPC', () => {
      it('answers half_plus_two and the MLP', async () => {
        const client = predictionClient(serving.grpcAddress!);
        try {
          const half = await call(client, 'Predict', {
            model_spec: { name: 'half_plus_two' },
            inputs: { x: floats([1, 2, 5], [3]) },
          });
          expect(half.outputs.y.float_val).toEqual([2.5, 3, 4.5]);
          const x = [[1, -2, 0.5, 3]];
          const mlp = await call(client, 'Predict', {
            model_spec: { name: 'mlp' },
            inputs: { x: floats(x.flat(), [1, 4]) },
          });
          const [out] = Object.values<{ float_val: number[] }>(mlp.outputs);
          const expected = mlpForward(weights, x)[0]!;
          out!.float_val.forEach((v, j) => expect(Math.abs(v - expected[j]!)).toBeLessThan(1e-5));
        } finally {
          client.close();
        }
      });
    });

    it('leaves a model with an op that does not translate on TensorFlow.js, and says which', async () => {
      expect(engine('cumsum')).toMatch(
        /^(wasm|cpu|tensorflow) \(not translated to ONNX: Cumsum \('serving_default'\)/,
      );
      expect(logger.lines.join('\n')).toMatch(
        /model 'cumsum' version 1 runs on TensorFlow\.js: ops that do not translate to ONNX: Cumsum/,
      );
      const res = await post(`${serving.url}/v1/models/cumsum:predict`, '{"instances": [1, 2, 5]}');
      expect(res.json).toEqual({ predictions: [1, 3, 8] });
    });

    it('says in v2 metadata which engine runs each SavedModel', async () => {
      const platform = async (model: string) =>
        (await get(`${serving.url}/v2/models/${model}`)).json.platform as string;
      expect(await platform('mlp_tfjs')).toBe('tensorflowjs');
      expect(await platform('cumsum')).toBe('tensorflowjs');
      // Translated and run by ONNX Runtime (checked above).
      for (const model of ['half_plus_two', 'mlp', 'cnn']) {
        expect({ model, platform: await platform(model) }).toEqual({
          model,
          platform: 'onnxruntime_onnx',
        });
      }
    });

    it("keeps a model pinned to engine 'tfjs' on TensorFlow.js", async () => {
      expect(engine('mlp_tfjs')).toMatch(/^(wasm|cpu)$/);
      const res = await post(
        `${serving.url}/v1/models/mlp_tfjs:predict`,
        JSON.stringify({ instances: [[1, 2, 3, 4]] }),
      );
      expect(res.status).toBe(200);
    });
  },
);
