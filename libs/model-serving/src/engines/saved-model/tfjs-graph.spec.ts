import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  func,
  node,
  placeholder,
  tensorInfo,
  type,
  typeList,
} from '../../../../../test/helpers/saved-model-writer/graph-defs.js';
import { encodeSavedModel } from '../../../../../test/helpers/saved-model-writer/saved-model-pb.js';
import { SavedModelLoader } from './saved-model.loader.js';

const arg = (name: string, dtype: string) => ({ name, type: dtype });
const scalar = (name: string, dtype: 'DT_INT32' | 'DT_FLOAT', value: number) =>
  node(name, 'Const', [], {
    dtype: type(dtype),
    value: {
      tensor: {
        dtype,
        tensorShape: {},
        ...(dtype === 'DT_INT32' ? { intVal: [value] } : { floatVal: [value] }),
      },
    },
  });

/** y = x doubled three times, by a `StatelessWhile` whose functions hold constants of the same name. */
const WHILE_GRAPH = {
  graphDef: {
    node: [
      placeholder('x', [-1]),
      scalar('i0', 'DT_INT32', 0),
      node('while', 'StatelessWhile', ['i0', 'x'], {
        T: typeList(['DT_INT32', 'DT_FLOAT']),
        cond: func('cond_1'),
        body: func('body_1'),
      }),
      node('y', 'Identity', ['while:1'], { T: type() }),
    ],
    library: {
      function: [
        {
          signature: {
            name: 'cond_1',
            inputArg: [arg('i', 'DT_INT32'), arg('x', 'DT_FLOAT')],
            outputArg: [arg('out', 'DT_BOOL')],
          },
          nodeDef: [
            scalar('c', 'DT_INT32', 3),
            node('Less', 'Less', ['i', 'c:output:0'], { T: type('DT_INT32') }),
          ],
          ret: { out: 'Less:z:0' },
        },
        {
          signature: {
            name: 'body_1',
            inputArg: [arg('i', 'DT_INT32'), arg('x', 'DT_FLOAT')],
            outputArg: [arg('i_out', 'DT_INT32'), arg('x_out', 'DT_FLOAT')],
          },
          nodeDef: [
            scalar('c', 'DT_INT32', 1),
            scalar('two', 'DT_FLOAT', 2),
            node('add', 'AddV2', ['i', 'c:output:0'], { T: type('DT_INT32') }),
            node('mul', 'Mul', ['x', 'two:output:0'], { T: type() }),
          ],
          ret: { i_out: 'add:z:0', x_out: 'mul:z:0' },
        },
      ],
    },
  },
  signatureDef: {
    serving_default: {
      inputs: { x: tensorInfo('x:0', [-1]) },
      outputs: { y: tensorInfo('y:0', [-1]) },
      methodName: 'tensorflow/serving/predict',
    },
  },
};

describe('control flow in the tfjs graph', () => {
  let dir: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'saved-model-while-'));
    await mkdir(join(dir, '1'));
    await writeFile(join(dir, '1', 'saved_model.pb'), encodeSavedModel(WHILE_GRAPH));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the functions a While loop names, their constants as weights', async () => {
    const directory = join(dir, '1');
    const executor = await new SavedModelLoader().load({
      modelName: 'loop',
      version: 1,
      directory,
      files: await readdir(directory),
      backend: 'cpu',
      // The TensorFlow.js graph is under test (with 'auto' the loop would run translated).
      engine: 'tfjs',
    });
    const out = await executor.run('serving_default', {
      x: { dtype: 'float32', shape: [3], data: Float32Array.of(1, 2, 5) },
    });
    expect(out['y']!.data).toEqual(Float32Array.of(8, 16, 40));
    await executor.dispose();
  });
});
