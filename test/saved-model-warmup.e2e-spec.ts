import { cp, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, SHARED } from './helpers/paths.js';
import {
  type DenseWeights,
  mlpForward,
  writeMlpSavedModel,
} from './helpers/saved-model-writer/mlp-export.js';
import {
  exampleLog,
  floatExample,
  floatTensor,
  multiInferenceLog,
  predictLog,
  writeWarmupRequests,
} from './helpers/saved-model-writer/warmup-writer.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

interface VersionStatus {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

const LAYERS = [6, 16, 3];
const ROW = [1, 2, 3, 4, 5, 6];
const TF_SERVING = join(SHARED, 'testdata', 'tf-serving');
const HALF_PLUS_TWO = '{"instances": [1.0, 2.0, 5.0]}';

/** A predict request of the synthetic MLP (input `x`), `rows` rows long. */
const mlpRequest = (rows: number) =>
  predictLog('serving_default', {
    x: floatTensor([rows, LAYERS[0]!], Array.from({ length: rows }, () => ROW).flat()),
  });

async function status(url: string, model: string): Promise<VersionStatus> {
  const res = await get(`${url}/v1/models/${model}`);
  return (res.json.model_version_status as VersionStatus[])[0]!;
}

describe('SavedModel warm-up requests (assets.extra/tf_serving_warmup_requests)', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  let weights: DenseWeights[];
  const version = (model: string) => join(base.path, model, '1');

  beforeAll(async () => {
    base = await tempDir('saved-model-warmup');
    const models: Record<string, readonly object[]> = {
      warm: [mlpRequest(1), mlpRequest(4), mlpRequest(2)],
      'warm-tf2': [mlpRequest(3)],
      flipped: [mlpRequest(1), mlpRequest(2), mlpRequest(1)],
      truncated: [mlpRequest(1), mlpRequest(1), mlpRequest(2)],
      'missing-signature': [predictLog('missing', { x: floatTensor([1, 6], ROW) })],
      'at-limit': Array.from({ length: 1000 }, () => mlpRequest(1)),
      'over-limit': Array.from({ length: 1001 }, () => mlpRequest(1)),
    };
    for (const [model, logs] of Object.entries(models)) {
      const style = model === 'warm-tf2' ? 'tf2' : 'tf1';
      // The same (default) seed for every model, so the same weights.
      weights = await writeMlpSavedModel(version(model), { layers: LAYERS, style });
      await writeWarmupRequests(version(model), logs);
    }
    const warmup = (model: string) =>
      join(version(model), 'assets.extra', 'tf_serving_warmup_requests');
    // One byte of the second record's data (16 bytes of framing per record before it).
    const flipped = await readFile(warmup('flipped'));
    const first = flipped.readUInt32LE(0) + 16;
    flipped[first + 12 + 5] = flipped[first + 12 + 5]! ^ 0x40;
    await writeFile(warmup('flipped'), flipped);
    const cut = (await readFile(warmup('truncated'))).length - 7;
    await truncate(warmup('truncated'), cut);
    serving = await startServingApp({
      models: Object.keys(models).map((name) => ({ name, basePath: join(base.path, name) })),
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it.each(['warm', 'warm-tf2', 'at-limit'])(
    '%s replays its requests, becomes AVAILABLE and serves',
    async (model) => {
      expect(await status(serving.url, model)).toMatchObject({
        state: 'AVAILABLE',
        status: { error_code: 'OK' },
      });
      const res = await post(
        `${serving.url}/v1/models/${model}:predict`,
        JSON.stringify({ instances: [ROW] }),
      );
      expect(res.status).toBe(200);
      const expected = mlpForward(weights, [ROW])[0]!;
      (res.json.predictions[0] as number[]).forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i]!, 4);
      });
    },
  );

  it.each([
    [
      'flipped',
      'DATA_LOSS',
      /^model 'flipped' version 1: assets\.extra\/tf_serving_warmup_requests: record 1 \(at byte \d+\) is corrupted: its data fails its checksum/,
    ],
    [
      'truncated',
      'DATA_LOSS',
      /^model 'truncated' version 1: assets\.extra\/tf_serving_warmup_requests: record 2 \(at byte \d+\) is truncated/,
    ],
    [
      'missing-signature',
      'INVALID_ARGUMENT',
      /^model 'missing-signature' version 1: assets\.extra\/tf_serving_warmup_requests: record 0 \(predict_log\) failed: Serving signature name: "missing" not found in signature def/,
    ],
    [
      'over-limit',
      'INVALID_ARGUMENT',
      /assets\.extra\/tf_serving_warmup_requests: the number of warm-up records exceeds the maximum \(1000\)/,
    ],
  ])('%s ends with the reason in its status', async (model, code, message) => {
    const s = await status(serving.url, model);
    expect(s.state).toBe('END');
    expect(s.status.error_code).toBe(code);
    expect(s.status.error_message).toMatch(message);
    const res = await post(
      `${serving.url}/v1/models/${model}:predict`,
      JSON.stringify({ instances: [ROW] }),
    );
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: `Servable not found for request: Latest(${model})` });
  });
});

describe('enableModelWarmup: false (--enable_model_warmup=false)', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;

  beforeAll(async () => {
    base = await tempDir('saved-model-no-warmup');
    // A warm-up file whose only request names a missing signature: replayed, it fails the load.
    await writeMlpSavedModel(join(base.path, 'cold', '1'), { layers: LAYERS, style: 'tf1' });
    await writeWarmupRequests(join(base.path, 'cold', '1'), [
      predictLog('missing', { x: floatTensor([1, 6], ROW) }),
    ]);
    serving = await startServingApp({
      models: [{ name: 'cold', basePath: join(base.path, 'cold') }],
      pollIntervalMs: 0,
      maxLoadRetries: 0,
      enableModelWarmup: false,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it('does not replay the requests: the version becomes AVAILABLE and serves', async () => {
    expect(await status(serving.url, 'cold')).toMatchObject({
      state: 'AVAILABLE',
      status: { error_code: 'OK' },
    });
    const res = await post(
      `${serving.url}/v1/models/cold:predict`,
      JSON.stringify({ instances: [ROW] }),
    );
    expect(res.status).toBe(200);
  });
});

describeIfPresent(TF_SERVING)("warm-up of TF Serving's half_plus_two", () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  const examples = [floatExample({ x: [1] }), floatExample({ x: [2] }), floatExample({ x: [5] })];
  const context = floatExample({ x2: [0] });
  const logs = [
    predictLog('', { x: floatTensor([3], [1, 2, 5]) }),
    exampleLog('classify', 'classify_x_to_y', examples, context),
    exampleLog('regress', 'regress_x_to_y', examples, context),
    multiInferenceLog(
      [
        ['classify_x_to_y', 'tensorflow/serving/classify'],
        ['regress_x_to_y', 'tensorflow/serving/regress'],
      ],
      [floatExample({ x: [1], x2: [2] })],
    ),
  ];

  beforeAll(async () => {
    base = await tempDir('half-plus-two-warmup');
    const copies: [string, string, readonly object[]][] = [
      ['tf1', 'saved_model_half_plus_two_cpu', logs],
      ['tf2', 'saved_model_half_plus_two_tf2_cpu', logs],
      [
        'regress-on-classify',
        'saved_model_half_plus_two_cpu',
        [exampleLog('regress', 'classify_x_to_y', examples, context)],
      ],
      [
        'example-without-x',
        'saved_model_half_plus_two_tf2_cpu',
        [...logs, exampleLog('classify', 'classify_x_to_y', [floatExample({ x2: [1] })])],
      ],
    ];
    for (const [name, source, warmup] of copies) {
      const dest = join(base.path, name, '123');
      await cp(join(TF_SERVING, source, '00000123'), dest, { recursive: true });
      await writeWarmupRequests(dest, warmup);
    }
    serving = await startServingApp({
      models: copies.map(([name]) => ({ name, basePath: join(base.path, name) })),
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it.each(['tf1', 'tf2'])(
    '%s replays predict, classify, regress and multi-inference, then serves',
    async (model) => {
      expect((await status(serving.url, model)).state).toBe('AVAILABLE');
      const res = await post(`${serving.url}/v1/models/${model}:predict`, HALF_PLUS_TWO);
      expect(res.status).toBe(200);
      expect((res.json.predictions as number[]).flat()).toEqual([2.5, 3.0, 4.5]);
    },
  );

  it('ends a version whose warm-up regresses on a classify signature, with the reason', async () => {
    const s = await status(serving.url, 'regress-on-classify');
    expect(s.state).toBe('END');
    expect(s.status.error_code).toBe('INVALID_ARGUMENT');
    expect(s.status.error_message).toBe(
      "model 'regress-on-classify' version 123: assets.extra/tf_serving_warmup_requests: record 0 (regress_log) failed: Expected regression signature method_name to be tensorflow/serving/regress. Was: tensorflow/serving/classify",
    );
    const ok = await post(`${serving.url}/v1/models/tf1:predict`, HALF_PLUS_TWO);
    expect(ok.status).toBe(200);
  });

  it('parses the examples of classify requests, as a real Classify does', async () => {
    const s = await status(serving.url, 'example-without-x');
    expect(s.state).toBe('END');
    expect(s.status.error_message).toMatch(
      /record 4 \(classify_log\) failed: .*example 0 feature 'x'.* is required but could not be found/,
    );
  });
});
