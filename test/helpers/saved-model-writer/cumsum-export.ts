import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { node, placeholder, tensorInfo, type } from './graph-defs.js';
import { int32Const } from './lstm-graph.js';
import { encodeSavedModel } from './saved-model-pb.js';

/**
 * Writes a TF1 SavedModel of one `Cumsum` over float `x` `[-1]` (`serving_default`, output
 * `y`): an op TensorFlow.js runs and the ONNX translation does not, for checking the fallback.
 */
export async function writeCumsumSavedModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const graph = {
    graphDef: {
      node: [
        placeholder('x', [-1]),
        int32Const('axis', [], [0]),
        node('y', 'Cumsum', ['x', 'axis'], {
          T: type(),
          Tidx: type('DT_INT32'),
          exclusive: { b: false },
          reverse: { b: false },
        }),
      ],
      versions: { producer: 27 },
    },
    signatureDef: {
      serving_default: {
        inputs: { x: tensorInfo('x:0', [-1]) },
        outputs: { y: tensorInfo('y:0', [-1]) },
        methodName: 'tensorflow/serving/predict',
      },
    },
  };
  await writeFile(join(dir, 'saved_model.pb'), encodeSavedModel(graph));
}
