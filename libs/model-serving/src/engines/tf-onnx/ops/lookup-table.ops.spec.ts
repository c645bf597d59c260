/**
 * @jest-environment ./test/single-realm.environment.mjs
 */
// onnxruntime-node makes its output arrays in the main realm (see that environment's comment).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { writeHashTableSavedModel } from '../../../../../../test/helpers/saved-model-writer/hash-table-export.js';
import {
  DEFAULT_SYNONYM,
  DEFAULT_WORD,
  WIDE_ID,
  writeLookupTablesSavedModel,
} from '../../../../../../test/helpers/saved-model-writer/lookup-tables-export.js';
import { loadBoth } from '../../../../../../test/helpers/tf-onnx-parity.js';
import { type ModelExecutor } from '../../../models/model.executor.js';
import { type TensorData } from '../../../tensor/tensor-data.js';
import { SavedModelLoader } from '../../saved-model/saved-model.loader.js';
import { SavedModelOnnxExecutor } from '../saved-model-onnx.executor.js';
import { LOOKUP_TABLE_OPS } from './lookup-table.ops.js';

const words = (...values: string[]): TensorData => ({
  dtype: 'string',
  shape: [values.length],
  data: values.map((v) => Buffer.from(v)),
});
const ids = (...values: bigint[]): TensorData => ({
  dtype: 'int64',
  shape: [values.length],
  data: BigInt64Array.from(values),
});
const text = (t: TensorData | undefined) =>
  (t!.data as readonly Uint8Array[]).map((b) => Buffer.from(b).toString());
const numbers = (t: TensorData | undefined) =>
  Array.from(t!.data as ArrayLike<number | bigint>, Number);

describe('lookup tables translated to ai.onnx.ml LabelEncoder', () => {
  let dir: string;
  const open: ModelExecutor[] = [];
  const both = async (name: string) => {
    const pair = await loadBoth(join(dir, name));
    open.push(pair.onnx, pair.tfjs);
    return pair;
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tf-onnx-lookup-'));
    await writeHashTableSavedModel(join(dir, 'tf1'), { style: 'tf1' });
    await writeHashTableSavedModel(join(dir, 'tf2'), { style: 'tf2' });
    await writeLookupTablesSavedModel(join(dir, 'tables'));
    await writeLookupTablesSavedModel(join(dir, 'wide'), true);
  });

  afterAll(async () => {
    for (const executor of open) await executor.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([['tf1'], ['tf2']])(
    'maps strings to int64 ids as TensorFlow.js does, the default for the rest (%s)',
    async (model) => {
      const { onnx, tfjs } = await both(model);
      for (const [key, out] of [
        ['serving_default', 'ids'],
        ['doubled', 'doubled'],
      ] as const) {
        const input = { word: words('c', 'zzz', 'a', '', 'b') };
        const [got, want] = await Promise.all([onnx.run(key, input), tfjs.run(key, input)]);
        expect(numbers(got[out])).toEqual(numbers(want[out]));
        expect(got[out]!.shape).toEqual([5]);
      }
      expect(numbers((await onnx.run('doubled', { word: words('c', '?') }))['doubled'])).toEqual([
        60, -2,
      ]);
    },
  );

  it('maps int64 ids to strings and strings to strings as TensorFlow.js does', async () => {
    const { onnx, tfjs } = await both('tables');
    const byId = { id: ids(42n, 7n, 8n, -3n) };
    const [got, want] = await Promise.all([
      onnx.run('serving_default', byId),
      tfjs.run('serving_default', byId),
    ]);
    expect(text(got['word'])).toEqual(['answer', 'seven', DEFAULT_WORD, 'minus three']);
    expect(text(got['word'])).toEqual(text(want['word']));
    const byWord = { word: words('fast', 'slow', 'big') };
    const [syn, tfjsSyn] = await Promise.all([
      onnx.run('synonym', byWord),
      tfjs.run('synonym', byWord),
    ]);
    expect(text(syn['synonym'])).toEqual(['quick', DEFAULT_SYNONYM, 'large']);
    expect(text(syn['synonym'])).toEqual(text(tfjsSyn['synonym']));
  });

  it('covers every lookup-table op the registry translates', () => {
    expect(Object.keys(LOOKUP_TABLE_OPS).sort()).toEqual(['HashTableV2', 'LookupTableFindV2']);
  });

  it('keeps int64 keys beyond 2^31 exact (TensorFlow.js refuses the model)', async () => {
    const directory = join(dir, 'wide');
    const onnx = await new SavedModelLoader().load({
      modelName: 'wide',
      version: 1,
      directory,
      files: await readdir(directory),
      backend: 'cpu',
      engine: 'onnx',
    });
    open.push(onnx);
    expect(onnx).toBeInstanceOf(SavedModelOnnxExecutor);
    const out = await onnx.run('serving_default', {
      id: ids(WIDE_ID[0], WIDE_ID[0] + 1n, 42n, WIDE_ID[0] - 2n ** 32n),
    });
    expect(text(out['word'])).toEqual([WIDE_ID[1], DEFAULT_WORD, 'answer', DEFAULT_WORD]);
  });
});
