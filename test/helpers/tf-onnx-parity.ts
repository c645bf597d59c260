import { readdir } from 'node:fs/promises';
import { SavedModelExecutor } from '../../libs/model-serving/src/engines/saved-model/saved-model.executor.js';
import { SavedModelLoader } from '../../libs/model-serving/src/engines/saved-model/saved-model.loader.js';
import { SavedModelOnnxExecutor } from '../../libs/model-serving/src/engines/tf-onnx/saved-model-onnx.executor.js';
import { encodeExample } from '../../libs/model-serving/src/models/examples/example-codec.js';
import { type ModelExecutor } from '../../libs/model-serving/src/models/model.executor.js';
import { type LoadContext } from '../../libs/model-serving/src/models/model.loader.js';
import { servedSignature, type TensorSpec } from '../../libs/model-serving/src/models/signature.js';
import { type TensorData } from '../../libs/model-serving/src/tensor/tensor-data.js';
import { typedValues } from '../../libs/model-serving/src/tensor/typed-values.js';
import { fillRandom } from './saved-model-writer/cnn-model.js';

/*
 * The SavedModel → ONNX translation checked against TensorFlow.js on the same frozen graph:
 * both engines load one directory, every signature runs on the same inputs, every output
 * matches within 1e-5 relative.
 */

async function contextOf(directory: string, engine: 'onnx' | 'tfjs'): Promise<LoadContext> {
  return {
    modelName: directory.split('/').slice(-2).join('/'),
    version: 1,
    directory,
    files: await readdir(directory),
    backend: 'cpu',
    engine,
  };
}

/** Both engines on the same SavedModel directory. */
export async function loadBoth(directory: string) {
  const loader = new SavedModelLoader();
  const onnx = await loader.load(await contextOf(directory, 'onnx'));
  const tfjs = await loader.load(await contextOf(directory, 'tfjs'));
  expect(onnx).toBeInstanceOf(SavedModelOnnxExecutor);
  expect(tfjs).toBeInstanceOf(SavedModelExecutor);
  return { onnx, tfjs };
}

let seed = 11;
/** Deterministic input of a spec: -1 dimensions are 3, values small and of the spec's dtype. */
export function sampleInput(spec: TensorSpec): TensorData {
  const shape = (spec.shape ?? [3]).map((d) => (d < 0 ? 3 : d));
  const n = shape.reduce((a, b) => a * b, 1);
  const floats = new Float32Array(n);
  fillRandom(floats, seed++, 4);
  if (spec.dtype === 'float32') return { dtype: 'float32', shape, data: floats };
  const ints = Array.from(floats, (v) => Math.abs(Math.round(v)) + 1);
  if (spec.dtype === 'string') throw new Error(`no sample input for string input ${spec.name}`);
  return { dtype: spec.dtype, shape, data: typedValues(spec.dtype, ints, spec.name) };
}

/** The examples a parsing signature is fed: every dense feature, `rows` times. */
function sampleExamples(executor: SavedModelExecutor, key: string, rows: number): TensorData {
  const spec = executor.exampleParsing(key)!;
  const serialized = Array.from({ length: rows }, (_, r) =>
    encodeExample(
      new Map(
        spec.dense.map((d) => [
          d.key,
          {
            kind: 'float' as const,
            values: Array.from({ length: d.shape.reduce((a, b) => a * b, 1) }, (_, i) => r + i / 4),
          },
        ]),
      ),
    ),
  );
  return { dtype: 'string', shape: [rows], data: serialized };
}

function expectClose(actual: TensorData, expected: TensorData, what: string): void {
  expect({ what, shape: actual.shape }).toEqual({ what, shape: expected.shape });
  const a = Array.from(actual.data as ArrayLike<number>, Number);
  const b = Array.from(expected.data as ArrayLike<number>, Number);
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    if (Math.abs(v - b[i]!) > 1e-5 * Math.max(1, Math.abs(b[i]!))) {
      throw new Error(`${what}[${i}]: ONNX ${v}, tfjs ${b[i]}`);
    }
  });
}

/** Runs every servable signature on both engines and compares each output. */
export async function compareAll(onnx: ModelExecutor, tfjs: SavedModelExecutor): Promise<number> {
  let compared = 0;
  expect(onnx.signatures).toEqual(tfjs.signatures);
  for (const key of Object.keys(tfjs.signatures)) {
    const signature = servedSignature(tfjs.signatures, key)!;
    const parsing = tfjs.exampleParsing(key) !== undefined;
    if (key === '__saved_model_init_op') continue;
    const inputs = parsing
      ? { [Object.keys(signature.inputs)[0]!]: sampleExamples(tfjs, key, 3) }
      : Object.fromEntries(
          Object.entries(signature.inputs).map(([alias, spec]) => [alias, sampleInput(spec)]),
        );
    const [got, want] = await Promise.all([onnx.run(key, inputs), tfjs.run(key, inputs)]).catch(
      (error: unknown) => {
        throw new Error(
          `signature '${key}': ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    );
    for (const alias of Object.keys(want)) {
      expectClose(got[alias]!, want[alias]!, `${key}.${alias}`);
      compared++;
    }
  }
  return compared;
}
