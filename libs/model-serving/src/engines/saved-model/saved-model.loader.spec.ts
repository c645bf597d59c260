import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  node,
  placeholder,
  tensorInfo,
  type,
} from '../../../../../test/helpers/saved-model-writer/graph-defs.js';
import {
  mlpForward,
  writeMlpSavedModel,
} from '../../../../../test/helpers/saved-model-writer/mlp-export.js';
import { encodeSavedModel } from '../../../../../test/helpers/saved-model-writer/saved-model-pb.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelServingError } from '../../errors/model-serving.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import { type LoadContext } from '../../models/model.loader.js';
import { SavedModelLoader } from './saved-model.loader.js';

const X = [
  [1, -2, 0.5, 3],
  [0, 0, 0, 0],
];

describe('SavedModelLoader', () => {
  let dir: string;
  const context = async (sub: string): Promise<LoadContext> => {
    const directory = join(dir, sub);
    return {
      modelName: sub,
      version: 1,
      directory,
      files: await readdir(directory),
      backend: 'cpu',
      // The TensorFlow.js path; engines/tf-onnx/ specs cover the ONNX translation.
      engine: 'tfjs',
    };
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'saved-model-loader-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['tf1', 'tf2'] as const)('serves a %s export as its weights compute', async (style) => {
    const weights = await writeMlpSavedModel(join(dir, style), {
      layers: [4, 8, 3],
      style,
      numShards: 3,
      compression: 'snappy',
    });
    const executor = await new SavedModelLoader().load(await context(style));
    const signature = executor.signatures['serving_default']!;
    const input = signature.inputs['x']!;
    expect(input).toMatchObject({ dtype: 'float32', shape: [-1, 4], relaxedShape: true });
    const out = await executor.run('serving_default', {
      x: { dtype: 'float32', shape: [2, 4], data: Float32Array.from(X.flat()) },
    });
    const [result] = Object.values(out);
    expect(result!.shape).toEqual([2, 3]);
    const expected = mlpForward(weights, X).flat();
    [...(result!.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    if (style === 'tf2') {
      await expect(executor.run('__saved_model_init_op', {})).rejects.toThrow(UnimplementedError);
    }
    await executor.dispose();
  });

  it('leaves no tensor behind when a later weight fails its checksum', async () => {
    await writeMlpSavedModel(join(dir, 'corrupt'), { layers: [4, 8, 3] });
    const data = join(dir, 'corrupt', 'variables', 'variables.data-00000-of-00001');
    const bytes = await readFile(data);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(data, bytes);
    const before = tf.memory().numTensors;
    await expect(new SavedModelLoader().load(await context('corrupt'))).rejects.toThrow(
      /checkpoint entry 'dense_1\/bias' in variables\/variables\.data-00000-of-00001 fails its checksum/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('detects SavedModels, their text form and legacy SessionBundles', () => {
    const loader = new SavedModelLoader();
    const detect = (files: string[]) =>
      loader.detect({ modelName: 'm', version: 1, directory: '/x', files, backend: 'cpu' });
    expect(detect(['saved_model.pb', 'variables'])).toBe(true);
    expect(detect(['saved_model.pbtxt'])).toBe(true);
    expect(detect(['export.meta', 'export'])).toBe(true);
    expect(detect(['model.json'])).toBe(false);
  });

  it('refuses saved_model.pbtxt with UNIMPLEMENTED', async () => {
    await mkdir(join(dir, 'pbtxt'));
    await writeFile(join(dir, 'pbtxt', 'saved_model.pbtxt'), 'meta_graphs {}');
    const error = await new SavedModelLoader().load(await context('pbtxt')).catch((e) => e);
    expect(error.code).toBe(GrpcStatusCode.UNIMPLEMENTED);
    expect(error.message).toMatch(
      /^model 'pbtxt' version 1: saved_model\.pbtxt \(the text format\)/,
    );
  });

  it('fails with a ModelServingError at every truncation of saved_model.pb', async () => {
    await writeMlpSavedModel(join(dir, 'whole'), { layers: [3, 5, 2] });
    const bytes = await readFile(join(dir, 'whole', 'saved_model.pb'));
    const loader = new SavedModelLoader();
    for (let length = 0; length < bytes.length; length += Math.ceil(bytes.length / 97)) {
      await writeFile(join(dir, 'whole', 'saved_model.pb'), bytes.subarray(0, length));
      const error = await loader.load(await context('whole')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ModelServingError);
      expect((error as Error).message).toMatch(/^model 'whole' version 1: /);
    }
  });

  it('reports a graph node whose input is gone (a truncated graph that still decodes)', async () => {
    await mkdir(join(dir, 'dangling'));
    const graph = {
      graphDef: { node: [placeholder('x', [-1]), node('y', 'Relu', ['gone'], { T: type() })] },
      signatureDef: {
        serving_default: {
          inputs: { x: tensorInfo('x:0', [-1]) },
          outputs: { y: tensorInfo('y:0', [-1]) },
          methodName: 'tensorflow/serving/predict',
        },
      },
    };
    await writeFile(join(dir, 'dangling', 'saved_model.pb'), encodeSavedModel(graph));
    await expect(new SavedModelLoader().load(await context('dangling'))).rejects.toThrow(
      "model 'dangling' version 1: node 'y' takes input 'gone' (saved_model.pb may be truncated), which the graph lacks",
    );
  });

  it('runs ops TensorFlow.js lacks through customOps kernels', async () => {
    await mkdir(join(dir, 'custom'));
    const graph = {
      graphDef: {
        node: [placeholder('x', [-1]), node('y', 'TimesTen', ['x'], { T: type() })],
      },
      signatureDef: {
        serving_default: {
          inputs: { x: tensorInfo('x:0', [-1]) },
          outputs: { y: tensorInfo('y:0', [-1]) },
          methodName: 'tensorflow/serving/predict',
        },
      },
    };
    await writeFile(join(dir, 'custom', 'saved_model.pb'), encodeSavedModel(graph));
    await expect(new SavedModelLoader().load(await context('custom'))).rejects.toThrow(
      /does not run: TimesTen \(signature 'serving_default'\)/,
    );
    const loader = new SavedModelLoader({
      customOps: { TimesTen: (n) => tf.mul(n.inputs[0]!, 10) },
    });
    const executor = await loader.load(await context('custom'));
    const out = await executor.run('serving_default', {
      x: { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) },
    });
    expect([...(out['y']!.data as Float32Array)]).toEqual([10, 20]);
    await executor.dispose();
  });
});
