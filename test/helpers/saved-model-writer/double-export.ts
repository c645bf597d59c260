import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCheckpoint } from './checkpoint-writer.js';
import { node, placeholder, tensorInfo, type } from './graph-defs.js';
import { encodeSavedModel } from './saved-model-pb.js';
import { tf1MetaGraph, tf1Restore, tf1Variables } from './tf1-scaffold.js';

/** The TF1 export's double variable: `y = x * SCALE`, 0.1 having no exact float32. */
export const SCALE = 0.1;

/**
 * Writes a TF1 SavedModel computing in float64: `serving_default` takes `x` (DT_DOUBLE, [-1])
 * and answers `y = x * w`, `w` a DT_DOUBLE variable of the checkpoint holding `SCALE`.
 */
export async function writeDoubleSavedModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const vars = [{ name: 'w', key: 'w', dims: [1] }];
  const double = { T: type('DT_DOUBLE') };
  const graph = tf1MetaGraph(
    [
      placeholder('x', [-1], 'DT_DOUBLE'),
      ...tf1Variables(vars, 'DT_DOUBLE'),
      node('mul', 'Mul', ['x', 'w/read'], double),
      node('y', 'Identity', ['mul'], double),
      ...tf1Restore(vars, { dtype: 'DT_DOUBLE' }),
    ],
    {
      serving_default: {
        inputs: { x: tensorInfo('x:0', [-1], 'DT_DOUBLE') },
        outputs: { y: tensorInfo('y:0', [-1], 'DT_DOUBLE') },
        methodName: 'tensorflow/serving/predict',
      },
    },
  );
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
  await writeCheckpoint(join(dir, 'variables'), [
    {
      key: 'w',
      dtype: 'DT_DOUBLE',
      shape: [1],
      data: new Uint8Array(Float64Array.of(SCALE).buffer),
    },
  ]);
}
