import { join } from 'node:path';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { SCALE, writeDoubleSavedModel } from './helpers/saved-model-writer/double-export.js';
import { writeHashTableSavedModel } from './helpers/saved-model-writer/hash-table-export.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

// Frozen variables on ONNX Runtime keep the dtype the checkpoint stores them in; TensorFlow.js
// computes int64 in int32 and double in float32.

/** A float32 value as the shortest decimal that reads back as it (how float results print). */
const shortest = (f: number): number => {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
};

interface VersionStatus {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

/**
 * Serves the SavedModel `write` makes as `<name>` on ONNX Runtime and `<name>_tfjs` on
 * TensorFlow.js for the enclosing describe; answers the server's URL once it runs.
 */
function servedOnBothEngines(
  name: string,
  write: (versionDir: string) => Promise<void>,
): () => string {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;
  beforeAll(async () => {
    base = await tempDir(`saved-model-${name}`);
    await write(join(base.path, name, '1'));
    const basePath = join(base.path, name);
    serving = await startServingApp({
      models: [
        { name, basePath, engine: 'onnx' },
        { name: `${name}_tfjs`, basePath, engine: 'tfjs' },
      ],
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });
  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });
  return () => serving.url;
}

describe('a TF1 lookup table whose values variable holds int64s past 2^31', () => {
  // VOCABULARY's keys a, b, c: b maps to 5e9, past int32 (TensorFlow.js computes int64 in it).
  const WIDE = [10n, 5_000_000_000n, 30n];
  const url = servedOnBothEngines('wide', (dir) =>
    writeHashTableSavedModel(dir, { style: 'tf1', values: WIDE }),
  );

  it('answers them exactly on ONNX Runtime, read from the checkpoint in their own dtype', async () => {
    const res = await post(`${url()}/v1/models/wide:predict`, '{"instances": ["b", "a", "zzz"]}');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ predictions: [5_000_000_000, 10, -1] });
    const doubled = await post(
      `${url()}/v1/models/wide:predict`,
      '{"signature_name": "doubled", "inputs": ["b", "c"]}',
    );
    expect(doubled.json).toEqual({ outputs: [10_000_000_000, 60] });
  });

  it('fails the TensorFlow.js load naming the value that does not fit int32', async () => {
    const res = await get(`${url()}/v1/models/wide_tfjs`);
    const [status] = (res.json as { model_version_status: VersionStatus[] }).model_version_status;
    expect(status?.state).toBe('END');
    expect(status?.status.error_message).toContain(
      "checkpoint entry 'vocab/values' (DT_INT64) holds 5000000000 at index 1, which does not fit the int32 that TensorFlow.js computes in",
    );
  });
});

describe('a TF1 SavedModel computing in float64 with a double variable', () => {
  const url = servedOnBothEngines('scale', writeDoubleSavedModel);

  it('answers in double precision on ONNX Runtime, and in float32 on TensorFlow.js', async () => {
    const body = '{"instances": [3, 7]}';
    const onnx = await post(`${url()}/v1/models/scale:predict`, body);
    expect(onnx.status).toBe(200);
    expect(onnx.json).toEqual({ predictions: [3 * SCALE, 7 * SCALE] });
    const tfjs = await post(`${url()}/v1/models/scale_tfjs:predict`, body);
    expect(tfjs.status).toBe(200);
    // float32 results, written at float32's precision: close to the doubles, not equal to them.
    const { predictions } = tfjs.json as { predictions: number[] };
    expect(predictions).toEqual([3, 7].map((x) => shortest(Math.fround(x * Math.fround(SCALE)))));
    expect(predictions).not.toEqual([3 * SCALE, 7 * SCALE]);
  });
});
