import { join } from 'node:path';
import { ModelRegistry } from 'nest-model-serving';
import {
  call,
  type makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent } from './helpers/paths.js';
import { writeHashTableSavedModel } from './helpers/saved-model-writer/hash-table-export.js';
import {
  DEFAULT_SYNONYM,
  DEFAULT_WORD,
  WIDE_ID,
  writeLookupTablesSavedModel,
} from './helpers/saved-model-writer/lookup-tables-export.js';
import {
  lstmForward,
  type LstmWeights,
  writeLstmSavedModel,
} from './helpers/saved-model-writer/lstm-export.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const LSTM = { steps: 6, features: 3, units: 5 };
const MODELS = ['lstm', 'vocab', 'tables', 'lstm_cell_loop'];

/** Every value within 1e-5 relative of the plain-TS answer (float32 against float64). */
function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    if (Math.abs(v - expected[i]!) > 1e-5 * Math.max(1, Math.abs(expected[i]!))) {
      throw new Error(`[${i}]: served ${v}, computed ${expected[i]}`);
    }
  });
}

const sequences = (batch: number) =>
  Array.from({ length: batch }, (_, b) =>
    Array.from({ length: LSTM.steps }, (_, t) =>
      Array.from({ length: LSTM.features }, (_, f) => Math.sin(2 + b * 5 + t * 3 + f) * 1.5),
    ),
  );

/*
 * The writer's LSTM (StatelessWhile over TensorLists → ONNX Loop) and lookup-table SavedModels
 * (→ ai.onnx.ml LabelEncoder) served on ONNX Runtime, pinned (engine 'onnx', so a translation
 * that fails fails the load), in a worker thread with batching, over REST and gRPC.
 */
describe('control flow and lookup tables translated to ONNX, served on ONNX Runtime', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  let lstm: LstmWeights;

  beforeAll(async () => {
    base = await tempDir('saved-model-onnx-control-flow');
    lstm = await writeLstmSavedModel(join(base.path, 'lstm', '1'), LSTM, 6);
    await writeHashTableSavedModel(join(base.path, 'vocab', '1'), { style: 'tf1' });
    await writeLookupTablesSavedModel(join(base.path, 'tables', '1'), true);
    // Weights read inside the loop (ReadVariableOp in the body): TensorFlow.js refuses it.
    await writeLstmSavedModel(join(base.path, 'lstm_cell_loop', '1'), LSTM, 6, {
      captureResources: true,
    });
    serving = await startServingApp(
      {
        models: MODELS.map((name) => ({ name, basePath: join(base.path, name), engine: 'onnx' })),
        pollIntervalMs: 0,
        maxLoadRetries: 0,
        workers: 1,
        batching: true,
      },
      'express',
      { grpc: true },
    );
  }, 120_000);

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  it('runs every model on ONNX Runtime', () => {
    const registry = serving.app.get(ModelRegistry);
    for (const model of MODELS) {
      expect({ model, engine: registry.engine(model) }).toEqual({ model, engine: 'onnxruntime' });
    }
  });

  it('answers both LSTMs over REST as the cell computes, step by step', async () => {
    for (const [model, batch] of [
      ['lstm', 1],
      ['lstm', 3],
      ['lstm_cell_loop', 2],
    ] as const) {
      const x = sequences(batch);
      const res = await post(
        `${serving.url}/v1/models/${model}:predict`,
        JSON.stringify({ instances: x }),
      );
      expect(res.status).toBe(200);
      expect(res.json.predictions).toHaveLength(batch);
      expectClose((res.json.predictions as number[][][]).flat(2), lstmForward(lstm, x).flat(2));
    }
  });

  it('looks words and int64 ids up over REST, ids beyond 2^31 exactly', async () => {
    const vocab = await post(
      `${serving.url}/v1/models/vocab:predict`,
      '{"signature_name": "doubled", "inputs": ["c", "a", "?"]}',
    );
    expect(vocab.json).toEqual({ outputs: [60, 20, -2] });
    const ids = await post(
      `${serving.url}/v1/models/tables:predict`,
      `{"instances": [42, ${WIDE_ID[0]}, ${WIDE_ID[0] - 2n ** 32n}, -3]}`,
    );
    expect(ids.status).toBe(200);
    expect(ids.json).toEqual({
      predictions: ['answer', WIDE_ID[1], DEFAULT_WORD, 'minus three'],
    });
    const words = await post(
      `${serving.url}/v1/models/tables:predict`,
      '{"signature_name": "synonym", "inputs": ["big", "small"]}',
    );
    expect(words.json).toEqual({ outputs: ['large', DEFAULT_SYNONYM] });
  });

  describeIfPresent(REFERENCE_PROTOS)('over gRPC', () => {
    let client: ReturnType<typeof makeClient>;
    beforeAll(() => {
      client = predictionClient(serving.grpcAddress!);
    });
    afterAll(() => client?.close());

    it('answers the LSTM', async () => {
      const x = sequences(2);
      const res = await call(client, 'Predict', {
        model_spec: { name: 'lstm' },
        inputs: {
          x: {
            dtype: 'DT_FLOAT',
            tensor_shape: { dim: [2, LSTM.steps, LSTM.features].map((size) => ({ size })) },
            float_val: x.flat(2),
          },
        },
      });
      const [out] = Object.values<{
        float_val: number[];
        tensor_shape: { dim: { size: string }[] };
      }>(res.outputs);
      expect(out!.tensor_shape.dim.map((d) => Number(d.size))).toEqual([2, LSTM.steps, LSTM.units]);
      expectClose(out!.float_val, lstmForward(lstm, x).flat(2));
    });

    it('looks int64 ids up as words and words as ids', async () => {
      const ids = await call(client, 'Predict', {
        model_spec: { name: 'tables' },
        inputs: {
          id: {
            dtype: 'DT_INT64',
            tensor_shape: { dim: [{ size: 3 }] },
            int64_val: [String(WIDE_ID[0]), '7', '8'],
          },
        },
      });
      expect(ids.outputs.word.dtype).toBe('DT_STRING');
      expect(ids.outputs.word.string_val.map((b: Buffer) => b.toString())).toEqual([
        WIDE_ID[1],
        'seven',
        DEFAULT_WORD,
      ]);
      const vocab = await call(client, 'Predict', {
        model_spec: { name: 'vocab' },
        inputs: {
          word: {
            dtype: 'DT_STRING',
            tensor_shape: { dim: [{ size: 2 }] },
            string_val: [Buffer.from('b'), Buffer.from('zzz')],
          },
        },
      });
      expect(vocab.outputs.ids.dtype).toBe('DT_INT64');
      expect(vocab.outputs.ids.int64_val).toEqual(['20', '-1']);
    });
  });
});
