import { join } from 'node:path';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { writeHashTableSavedModel } from './helpers/saved-model-writer/hash-table-export.js';
import { type ServingApp, startServingApp } from './helpers/serving-app.js';

interface VersionStatus {
  version: string;
  state: string;
  status: { error_code: string; error_message: string };
}

describe('SavedModels with lookup tables filled by the init op', () => {
  let base: { path: string; cleanup: () => Promise<void> };
  let serving: ServingApp;

  beforeAll(async () => {
    base = await tempDir('saved-model-hash-table');
    await writeHashTableSavedModel(join(base.path, 'vocab_tf1', '1'), { style: 'tf1' });
    await writeHashTableSavedModel(join(base.path, 'vocab_tf2', '1'), { style: 'tf2' });
    await writeHashTableSavedModel(join(base.path, 'vocab_file', '1'), {
      style: 'tf2',
      filler: 'InitializeTableFromTextFileV2',
    });
    serving = await startServingApp({
      models: ['vocab_tf1', 'vocab_tf2', 'vocab_file'].map((name) => ({
        name,
        basePath: join(base.path, name),
      })),
      pollIntervalMs: 0,
      maxLoadRetries: 0,
    });
  });

  afterAll(async () => {
    await serving.app.close();
    await base.cleanup();
  });

  it.each([['vocab_tf1'], ['vocab_tf2']])(
    'predicts ids from the table and the default for unknown words (%s)',
    async (model) => {
      const res = await post(
        `${serving.url}/v1/models/${model}:predict`,
        '{"instances": ["b", "zzz"]}',
      );
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ predictions: [20, -1] });
      const doubled = await post(
        `${serving.url}/v1/models/${model}:predict`,
        '{"signature_name": "doubled", "inputs": ["c", "a", "?"]}',
      );
      expect(doubled.status).toBe(200);
      expect(doubled.json).toEqual({ outputs: [60, 20, -2] });
    },
  );

  it.each([['vocab_tf1'], ['vocab_tf2']])(
    'lists a DT_STRING input and a DT_INT64 output in the metadata (%s)',
    async (model) => {
      const res = await get(`${serving.url}/v1/models/${model}/metadata`);
      expect(res.status).toBe(200);
      const signatures = (
        res.json as {
          metadata: { signature_def: { signature_def: Record<string, unknown> } };
        }
      ).metadata.signature_def.signature_def;
      expect(signatures['serving_default']).toMatchObject({
        inputs: { word: { dtype: 'DT_STRING', tensor_shape: { dim: [{ size: '-1' }] } } },
        outputs: { ids: { dtype: 'DT_INT64' } },
        method_name: 'tensorflow/serving/predict',
      });
    },
  );

  it('refuses a table filled from a file, naming the op, without touching the others', async () => {
    const res = await get(`${serving.url}/v1/models/vocab_file`);
    const status = (res.json.model_version_status as VersionStatus[])[0]!;
    expect(status.state).toBe('END');
    expect(status.status.error_code).toBe('UNIMPLEMENTED');
    expect(status.status.error_message).toContain(
      'fills lookup tables from files (InitializeTableFromTextFileV2',
    );
    const ok = await get(`${serving.url}/v1/models/vocab_tf2`);
    expect((ok.json.model_version_status as VersionStatus[])[0]!.state).toBe('AVAILABLE');
  });
});
