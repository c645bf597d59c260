import { join } from 'node:path';
import { ModelRegistry } from 'nest-model-serving';
import { post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import {
  condForward,
  type CondWeights,
  writeCondSavedModel,
} from './helpers/saved-model-writer/cond-export.js';
import {
  DEFAULT_SYNONYM,
  DEFAULT_WORD,
  writeLookupTablesSavedModel,
} from './helpers/saved-model-writer/lookup-tables-export.js';
import {
  lstmForward,
  type LstmWeights,
  writeLstmSavedModel,
} from './helpers/saved-model-writer/lstm-export.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const LSTM = { steps: 6, features: 3, units: 5 };

/** Every value within 1e-5 relative of the plain-TS answer (float32 against float64). */
function expectClose(actual: unknown, expected: number[]): void {
  const got = (actual as unknown[]).flat(3) as number[];
  expect(got).toHaveLength(expected.length);
  got.forEach((v, i) => {
    if (Math.abs(v - expected[i]!) > 1e-5 * Math.max(1, Math.abs(expected[i]!))) {
      throw new Error(`[${i}]: served ${v}, computed ${expected[i]}`);
    }
  });
}

/** A deterministic `[batch, steps, features]` input, varied per sequence and step. */
const sequences = (batch: number) =>
  Array.from({ length: batch }, (_, b) =>
    Array.from({ length: LSTM.steps }, (_, t) =>
      Array.from({ length: LSTM.features }, (_, f) => Math.sin(1 + b * 7 + t * 3 + f) * 1.5),
    ),
  );

/*
 * The writer's Keras-style LSTM (StatelessWhile + TensorLists), StatelessIf and lookup-table
 * SavedModels served on TensorFlow.js (pinned: savedModelEngine 'tfjs'), every value checked
 * against the same math in plain TypeScript.
 */
describe('SavedModels with control flow and lookup tables on TensorFlow.js', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  let lstm: LstmWeights;
  let cond: CondWeights;

  beforeAll(async () => {
    base = await tempDir('saved-model-control-flow');
    lstm = await writeLstmSavedModel(join(base.path, 'lstm', '1'), LSTM, 4);
    cond = await writeCondSavedModel(join(base.path, 'cond', '1'), 3, 4, 5);
    await writeLookupTablesSavedModel(join(base.path, 'tables', '1'));
    serving = await startServingApp({
      models: ['lstm', 'cond', 'tables'].map((name) => ({
        name,
        basePath: join(base.path, name),
      })),
      savedModelEngine: 'tfjs',
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await serving?.app.close();
    await base?.cleanup();
  });

  it('runs every model on TensorFlow.js (tfjs-wasm runs them all, tfjs-cpu too)', () => {
    const registry = serving.app.get(ModelRegistry);
    for (const model of ['lstm', 'cond', 'tables']) {
      expect({ model, engine: registry.engine(model) }).toEqual({
        model,
        engine: expect.stringMatching(/^(wasm|cpu)$/),
      });
    }
  });

  it('answers the LSTM (StatelessWhile over TensorLists) as its cell computes, step by step', async () => {
    for (const batch of [1, 3]) {
      const x = sequences(batch);
      const res = await post(
        `${serving.url}/v1/models/lstm:predict`,
        JSON.stringify({ instances: x }),
      );
      expect(res.status).toBe(200);
      expect(res.json.predictions).toHaveLength(batch);
      expectClose(res.json.predictions, lstmForward(lstm, x).flat(2));
    }
  });

  it('answers the StatelessIf model from the branch its predicate picks', async () => {
    const positive = [
      [1, 0.5, -0.25],
      [0.75, -1, 2],
    ];
    const negative = positive.map((row) => row.map((v) => -v));
    for (const x of [positive, negative]) {
      const res = await post(
        `${serving.url}/v1/models/cond:predict`,
        JSON.stringify({ inputs: x }),
      );
      expect(res.status).toBe(200);
      expectClose(res.json.outputs, condForward(cond, x).flat());
    }
    // tanh is above -1; the false branch, -2·sigmoid, below 0: both branches were taken.
    const [up, down] = await Promise.all(
      [positive, negative].map((x) =>
        post(`${serving.url}/v1/models/cond:predict`, JSON.stringify({ inputs: x })),
      ),
    );
    expect((up!.json.outputs as number[][]).flat().every((v) => v > -1)).toBe(true);
    expect((down!.json.outputs as number[][]).flat().every((v) => v < 0)).toBe(true);
  });

  it('looks int64 ids up as words and words as words, with the ops’ defaults', async () => {
    const ids = await post(
      `${serving.url}/v1/models/tables:predict`,
      '{"instances": [42, 7, 8, -3]}',
    );
    expect(ids.status).toBe(200);
    expect(ids.json).toEqual({ predictions: ['answer', 'seven', DEFAULT_WORD, 'minus three'] });
    const words = await post(
      `${serving.url}/v1/models/tables:predict`,
      '{"signature_name": "synonym", "inputs": ["fast", "slow", "big"]}',
    );
    expect(words.status).toBe(200);
    expect(words.json).toEqual({ outputs: ['quick', DEFAULT_SYNONYM, 'large'] });
  });
});
