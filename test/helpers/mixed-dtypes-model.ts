import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes a TensorFlow.js graph model with four named inputs and outputs of four dtypes:
 * `count_out = count + 1` (int32), `flag_out = !flag` (bool), `value_out = 2 · value` (float32)
 * and `blob_bytes = blob` (string, echoed; `_bytes` makes TF Serving answer it in base64).
 */
export async function writeMixedDtypesModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const vector = { dim: [{ size: '-1' }] };
  const scalar = {};
  const info = (name: string, dtype: string) => ({ name, dtype, tensorShape: vector });
  const placeholder = (name: string, type: string) => ({
    name,
    op: 'Placeholder',
    attr: { dtype: { type }, shape: { shape: vector } },
  });
  const constant = (name: string, type: string) => ({
    name,
    op: 'Const',
    attr: { dtype: { type }, value: { tensor: { dtype: type, tensorShape: scalar } } },
  });
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'nest-model-serving tests',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: {
      inputs: {
        count: info('count:0', 'DT_INT32'),
        flag: info('flag:0', 'DT_BOOL'),
        value: info('value:0', 'DT_FLOAT'),
        blob: info('blob:0', 'DT_STRING'),
      },
      outputs: {
        count_out: info('count_out:0', 'DT_INT32'),
        flag_out: info('flag_out:0', 'DT_BOOL'),
        value_out: info('value_out:0', 'DT_FLOAT'),
        blob_bytes: info('blob_bytes:0', 'DT_STRING'),
      },
    },
    modelTopology: {
      node: [
        placeholder('count', 'DT_INT32'),
        placeholder('flag', 'DT_BOOL'),
        placeholder('value', 'DT_FLOAT'),
        placeholder('blob', 'DT_STRING'),
        constant('one', 'DT_INT32'),
        constant('two', 'DT_FLOAT'),
        {
          name: 'count_out',
          op: 'AddV2',
          input: ['count', 'one'],
          attr: { T: { type: 'DT_INT32' } },
        },
        { name: 'flag_out', op: 'LogicalNot', input: ['flag'] },
        {
          name: 'value_out',
          op: 'Mul',
          input: ['value', 'two'],
          attr: { T: { type: 'DT_FLOAT' } },
        },
        { name: 'blob_bytes', op: 'Identity', input: ['blob'], attr: { T: { type: 'DT_STRING' } } },
      ],
      library: {},
      versions: { producer: 1482, minConsumer: 12 },
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'one', shape: [], dtype: 'int32' },
          { name: 'two', shape: [], dtype: 'float32' },
        ],
      },
    ],
  };
  const weights = Buffer.concat([
    Buffer.from(Int32Array.from([1]).buffer),
    Buffer.from(Float32Array.from([2]).buffer),
  ]);
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, 'weights.bin'), weights);
}
