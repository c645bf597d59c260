import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mlpForward, ONNX_SAMPLE_LAYERS, onnxMlpGraph } from '../scripts/sample-models/onnx-mlp.js';
import { ONNX_TYPE, writeOnnxModel } from '../scripts/sample-models/onnx-writer.js';
import { call, predictionClient, REFERENCE_PROTOS } from './helpers/grpc-client.js';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, SAMPLE_MODELS } from './helpers/paths.js';
import { startSampleApp } from './helpers/sample-app.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const LAYERS = [4, 8, 3];
const ROWS = [
  [1, 2, 3, 4],
  [-1, 0.5, 0, 2],
  [0, 0, 0, 0],
];

/** ids + 1000 (int64) and the words echoed (string), for dtypes tfjs narrows or lacks. */
async function writeIdsAndWords(dir: string): Promise<void> {
  await writeOnnxModel(dir, {
    inputs: [
      { name: 'ids', type: ONNX_TYPE.int64, shape: ['n'] },
      { name: 'words', type: ONNX_TYPE.string, shape: ['n'] },
    ],
    outputs: [
      { name: 'shifted', type: ONNX_TYPE.int64, shape: ['n'] },
      { name: 'echoed', type: ONNX_TYPE.string, shape: ['n'] },
    ],
    nodes: [
      { op: 'Add', inputs: ['ids', 'offset'], outputs: ['shifted'] },
      { op: 'Identity', inputs: ['words'], outputs: ['echoed'] },
    ],
    initializers: [
      { name: 'offset', type: ONNX_TYPE.int64, dims: [], data: BigInt64Array.from([1000n]) },
    ],
  });
}

const metadataOf = async (url: string, model: string) =>
  (await get(`${url}/v1/models/${model}/metadata`)).json.metadata.signature_def.signature_def
    .serving_default;

describe('ONNX models on ONNX Runtime', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  const predict = (model: string, body: unknown) =>
    post(`${serving.url}/v1/models/${model}:predict`, JSON.stringify(body));

  beforeAll(async () => {
    base = await tempDir('onnx-models');
    await writeOnnxModel(join(base.path, 'mlp', '1'), onnxMlpGraph(LAYERS));
    await writeOnnxModel(join(base.path, 'mlp_batch1', '1'), onnxMlpGraph(LAYERS, 1));
    await writeIdsAndWords(join(base.path, 'ids_words', '1'));
    // Both formats in one version directory: the tfjs loader would win, model_platform pins ONNX.
    await writeOnnxModel(join(base.path, 'pinned', '1'), onnxMlpGraph(LAYERS));
    await cp(join(SAMPLE_MODELS, 'half_plus_two', '1'), join(base.path, 'pinned', '1'), {
      recursive: true,
    });
    await mkdir(join(base.path, 'broken', '1'), { recursive: true });
    await writeFile(join(base.path, 'broken', '1', 'model.onnx'), 'not a protobuf at all');
    serving = await startServingApp(
      {
        models: [
          ...['mlp', 'mlp_batch1', 'ids_words', 'broken'].map((name) => ({
            name,
            basePath: join(base.path, name),
          })),
          { name: 'pinned', basePath: join(base.path, 'pinned'), platform: 'onnx' as const },
          {
            name: 'not_onnx',
            basePath: join(SAMPLE_MODELS, 'half_plus_two'),
            platform: 'onnx' as const,
          },
        ],
        maxLoadRetries: 0,
      },
      'express',
      { grpc: true },
    );
  });

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  it('loads a model pinned to model_platform "onnx" with ONNX Runtime, whatever else its directory holds', async () => {
    const rows = [[0.5, -1, 2, 0]];
    const pinned = await predict('pinned', { instances: rows });
    expect(pinned.status).toBe(200);
    const expected = mlpForward(LAYERS, rows);
    (pinned.json.predictions as number[][])[0]!.forEach((v, j) =>
      expect(v).toBeCloseTo(expected[0]![j]!, 5),
    );
    const refused = await get(`${serving.url}/v1/models/not_onnx`);
    expect(refused.json.model_version_status[0].status.error_message).toBe(
      `model 'not_onnx' version 1: its model_platform is "onnx", and its files are not an ONNX model (group1-shard1of1.bin, model.json)`,
    );
  });

  it('lists the graph inputs and outputs in TF Serving metadata, symbolic dimensions as -1', async () => {
    const signature = await metadataOf(serving.url, 'mlp');
    expect(signature).toEqual({
      defaults: {},
      inputs: {
        x: {
          dtype: 'DT_FLOAT',
          tensor_shape: {
            dim: [
              { size: '-1', name: '' },
              { size: '4', name: '' },
            ],
            unknown_rank: false,
          },
          name: 'x',
        },
      },
      outputs: {
        y: {
          dtype: 'DT_FLOAT',
          tensor_shape: {
            dim: [
              { size: '-1', name: '' },
              { size: '3', name: '' },
            ],
            unknown_rank: false,
          },
          name: 'y',
        },
      },
      method_name: 'tensorflow/serving/predict',
    });
    const fixed = await metadataOf(serving.url, 'mlp_batch1');
    expect(fixed.inputs.x.tensor_shape.dim[0]).toEqual({ size: '1', name: '' });
  });

  it('predicts the MLP over REST as its weights compute', async () => {
    const res = await predict('mlp', { instances: ROWS });
    expect(res.status).toBe(200);
    const expected = mlpForward(LAYERS, ROWS);
    const got = res.json.predictions as number[][];
    expect(got).toHaveLength(ROWS.length);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
  });

  it('serves a fixed batch of 1 and refuses two rows with a 400', async () => {
    const one = await predict('mlp_batch1', { instances: [ROWS[0]] });
    expect(one.status).toBe(200);
    expect(one.json.predictions[0][0]).toBeCloseTo(mlpForward(LAYERS, [ROWS[0]!])[0]![0]!, 5);
    const two = await predict('mlp_batch1', { instances: ROWS.slice(0, 2) });
    expect(two.status).toBe(400);
    expect(typeof two.json.error).toBe('string');
  });

  it('reports int64 and string tensors as DT_INT64 and DT_STRING and computes them', async () => {
    const signature = await metadataOf(serving.url, 'ids_words');
    expect(signature.inputs.ids.dtype).toBe('DT_INT64');
    expect(signature.inputs.words.dtype).toBe('DT_STRING');
    expect(signature.outputs.shifted.dtype).toBe('DT_INT64');
    const ok = await predict('ids_words', {
      inputs: { ids: [1, -5, 70000], words: ['a', 'bé', ''] },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ outputs: { shifted: [1001, 995, 71000], echoed: ['a', 'bé', ''] } });
    const beyond = await predict('ids_words', { inputs: { ids: [2147483000], words: ['z'] } });
    expect(beyond.status).toBe(200);
    expect(beyond.json).toEqual({ outputs: { shifted: [2147484000], echoed: ['z'] } });
  });

  it("fails a model ONNX Runtime cannot parse at load, with ONNX Runtime's message in its status", async () => {
    const res = await get(`${serving.url}/v1/models/broken`);
    const [status] = res.json.model_version_status;
    expect(status.state).toBe('END');
    expect(status.status.error_code).toBe('INVALID_ARGUMENT');
    expect(status.status.error_message).toMatch(
      /^model 'broken' version 1: ONNX Runtime could not load model\.onnx: .*protobuf parsing failed/,
    );
  });

  it("names ONNX Runtime as the v2 platform (Triton's onnxruntime_onnx)", async () => {
    const res = await get(`${serving.url}/v2/models/mlp`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'mlp', versions: ['1'], platform: 'onnxruntime_onnx' });
  });

  it('answers v2 infer for the MLP', async () => {
    const res = await post(
      `${serving.url}/v2/models/mlp/infer`,
      JSON.stringify({
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROWS[0] }],
      }),
      'application/json',
    );
    expect(res.status).toBe(200);
    const [output] = res.json.outputs;
    expect(output).toMatchObject({ name: 'y', datatype: 'FP32', shape: [1, 3] });
    const expected = mlpForward(LAYERS, [ROWS[0]!])[0]!;
    (output.data as number[]).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 5));
  });

  describeIfPresent(REFERENCE_PROTOS)('over gRPC', () => {
    it('answers Predict for the MLP and int64 ids in int64_val', async () => {
      const client = predictionClient(serving.grpcAddress!);
      try {
        const res = await call(client, 'Predict', {
          model_spec: { name: 'mlp' },
          inputs: {
            x: {
              dtype: 'DT_FLOAT',
              tensor_shape: { dim: [{ size: 2 }, { size: 4 }] },
              float_val: ROWS.slice(0, 2).flat(),
            },
          },
        });
        const expected = mlpForward(LAYERS, ROWS.slice(0, 2)).flat();
        expect(res.outputs.y.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual([
          '2',
          '3',
        ]);
        (res.outputs.y.float_val as number[]).forEach((v, i) =>
          expect(v).toBeCloseTo(expected[i]!, 5),
        );
        const ids = await call(client, 'Predict', {
          model_spec: { name: 'ids_words' },
          inputs: {
            ids: { dtype: 'DT_INT64', tensor_shape: { dim: [{ size: 2 }] }, int64_val: [7, 8] },
            words: {
              dtype: 'DT_STRING',
              tensor_shape: { dim: [{ size: 2 }] },
              string_val: [Buffer.from('x'), Buffer.from('y')],
            },
          },
        });
        expect(ids.outputs.shifted.dtype).toBe('DT_INT64');
        expect(ids.outputs.shifted.int64_val).toEqual(['1007', '1008']);
        expect(ids.outputs.echoed.string_val.map(String)).toEqual(['x', 'y']);
      } finally {
        client.close();
      }
    });
  });
});

describe('the sample app', () => {
  it('serves mlp_onnx, the ONNX sample model, as its weights compute', async () => {
    const running = await startSampleApp('express');
    try {
      const res = await post(
        `${running.url}/v1/models/mlp_onnx:predict`,
        JSON.stringify({ instances: ROWS }),
      );
      expect(res.status).toBe(200);
      const expected = mlpForward(ONNX_SAMPLE_LAYERS, ROWS);
      (res.json.predictions as number[][]).forEach((row, i) =>
        row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)),
      );
    } finally {
      await running.app.close();
    }
  });
});
