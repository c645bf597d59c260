import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The weights of the model: y = x · W for x of shape [n, 3]. */
export const EINSUM_WEIGHTS = [0.5, -2, 3];

/**
 * Writes a TensorFlow.js graph model computing `einsum('ij,j->i', x, w)`: Einsum has a kernel
 * on the CPU backend and none on the WASM backend, so it exercises the backend fallback.
 */
export async function writeEinsumModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const float = { type: 'DT_FLOAT' };
  const shape = (...dims: number[]) => ({ dim: dims.map((size) => ({ size: String(size) })) });
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'nest-model-serving tests',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: {
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: shape(-1, 3) } },
      outputs: { y: { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: shape(-1) } },
    },
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: shape(-1, 3) } } },
        {
          name: 'w',
          op: 'Const',
          attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shape(3) } } },
        },
        {
          name: 'y',
          op: 'Einsum',
          input: ['x', 'w'],
          attr: {
            equation: { s: Buffer.from('ij,j->i').toString('base64') },
            N: { i: '2' },
            T: float,
          },
        },
      ],
      library: {},
      versions: { producer: 1482, minConsumer: 12 },
    },
    weightsManifest: [
      { paths: ['weights.bin'], weights: [{ name: 'w', shape: [3], dtype: 'float32' }] },
    ],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, 'weights.bin'), Buffer.from(Float32Array.from(EINSUM_WEIGHTS).buffer));
}
