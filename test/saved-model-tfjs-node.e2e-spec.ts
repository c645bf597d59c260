import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { describeIfPresent, SHARED } from './helpers/paths.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

const TFJS_NODE = join(SHARED, 'testdata', 'tfjs-node-saved-models');

/** The calls tfjs-node's own tests make, and their expected answers (its README). */
const CASES: [model: string, body: unknown, expected: unknown][] = [
  ['times_three_float', { inputs: [1, 2, 3] }, { outputs: [3, 6, 9] }],
  ['times_two_int', { inputs: [1, 2, 3] }, { outputs: [2, 4, 6] }],
  ['uint8_multiply', { inputs: 3 }, { outputs: 18 }],
  ['int64_multiply', { inputs: [3, 4] }, { outputs: [18, 24] }],
  [
    'module_with_multiple_signatures',
    { signature_name: 'timestwo', inputs: [1, 2, 3] },
    { outputs: [2, 4, 6] },
  ],
  [
    'model_single_input_multi_output',
    { inputs: [1, 2, 3] },
    { outputs: { output_0: [2, 4, 6], output_1: [1, 2, 3] } },
  ],
  [
    'model_multi_output',
    { inputs: { x: [1, 2, 3], y: [1, 2, 3] } },
    { outputs: { output_0: [2, 4, 6], output_1: [1, 2, 3] } },
  ],
];

describeIfPresent(TFJS_NODE)("tfjs-node's test SavedModels", () => {
  let serving: ServingApp;
  let base: { path: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    // Each folder is one SavedModel; serving wants <base>/<version>/. The models are tiny, so
    // they are copied (version directories that are symlinks are not followed).
    base = await tempDir('tfjs-node-saved-models');
    for (const [model] of CASES) {
      await cp(join(TFJS_NODE, model), join(base.path, model, '1'), { recursive: true });
    }
    serving = await startServingApp({
      models: CASES.map(([model]) => ({ name: model, basePath: join(base.path, model) })),
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it.each(CASES)('%s answers as in tfjs-node', async (model, body, expected) => {
    const res = await post(`${serving.url}/v1/models/${model}:predict`, JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(res.json).toEqual(expected);
  });

  it('serves the default signature of the multi-signature module too, not timestwo', async () => {
    const res = await post(
      `${serving.url}/v1/models/module_with_multiple_signatures:predict`,
      JSON.stringify({ inputs: [1, 2, 3] }),
    );
    expect(res.status).toBe(200);
    // `serving_default` wraps the module's `__call__`, which triples; `timestwo` doubles.
    expect(res.json).toEqual({ outputs: [3, 6, 9] });
  });
  it('answers 400 naming the input when TensorFlow.js cannot hold an int64 value, while ONNX Runtime serves it exactly', async () => {
    const tfjs = await startServingApp({
      models: [
        { name: 'int64_multiply', basePath: join(base.path, 'int64_multiply'), engine: 'tfjs' },
      ],
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
    try {
      const big = JSON.stringify({ inputs: [2 ** 40, 1] });
      const narrowed = await post(`${tfjs.url}/v1/models/int64_multiply:predict`, big);
      expect(narrowed.status).toBe(400);
      expect(narrowed.json).toEqual({
        error:
          "input 'x' (int64, which TensorFlow.js computes as int32): 1099511627776 cannot be represented as int32 (an integer from -2147483648 to 2147483647)",
      });
      // The same model on the default engine (ONNX Runtime, int64 natively): 6 × 2^40 exactly.
      const exact = await post(`${serving.url}/v1/models/int64_multiply:predict`, big);
      expect(exact.status).toBe(200);
      expect(exact.text).toContain('6597069766656');
    } finally {
      await tfjs.app.close();
    }
  });
});
