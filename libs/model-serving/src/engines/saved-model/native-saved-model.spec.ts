import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { writeMlpSavedModel } from '../../../../../test/helpers/saved-model-writer/mlp-export.js';
import {
  floatTensor,
  predictLog,
  writeWarmupRequests,
} from '../../../../../test/helpers/saved-model-writer/warmup-writer.js';
import { type BackendName } from '../../config/model-serving-options.interface.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { UnimplementedError } from '../../errors/unimplemented.error.js';
import {
  loadNativeSavedModel,
  type NativeSavedModelApi,
  type NativeSignatureModel,
  selectNativeSavedModel,
} from './native-saved-model.js';
import { SavedModelLoader } from './saved-model.loader.js';
import { runSavedModelWarmup } from './saved-model-warmup.js';
import { type SignatureDefMsg } from './tf-messages.js';

/** half_plus_two computed with tfjs-core: what a native session would answer. */
class StubSignature implements NativeSignatureModel {
  disposed = 0;
  constructor(private readonly slope: number) {}

  predict(inputs: tf.NamedTensorMap): tf.NamedTensorMap {
    const x = inputs['x']!;
    // Every output is made, asked for or not, as a native session run answers.
    return { y: tf.tidy(() => tf.add(tf.mul(x, this.slope), 2)), x_again: tf.clone(x) };
  }

  dispose(): void {
    this.disposed++;
  }
}

/** Our interface, implemented over StubSignature; records what it was asked to load. */
class StubApi implements NativeSavedModelApi {
  readonly loaded = new Map<string, StubSignature>();
  readonly calls: [string, string[], string][] = [];
  refuse?: string;

  loadSavedModel(path: string, tags: string[], signature: string): Promise<StubSignature> {
    this.calls.push([path, tags, signature]);
    if (signature === this.refuse) return Promise.reject(new Error('op not registered'));
    const model = new StubSignature(signature === 'half' ? 0.5 : 3);
    this.loaded.set(signature, model);
    return Promise.resolve(model);
  }
}

const info = (name: string) => ({
  name,
  dtype: 'DT_FLOAT',
  tensorShape: { dim: [{ size: '-1' }] },
});
const predict = (prefix: string): SignatureDefMsg => ({
  methodName: 'tensorflow/serving/predict',
  inputs: { x: info(`${prefix}_x:0`) },
  outputs: { y: info(`${prefix}_y:0`), x_again: info(`${prefix}_x2:0`) },
});
const DEFS: Record<string, SignatureDefMsg> = {
  serving_default: predict('a'),
  half: predict('b'),
  __saved_model_init_op: { outputs: { __saved_model_init_op: { name: 'NoOp' } } },
};
const x = { dtype: 'float32' as const, shape: [3], data: Float32Array.of(1, 2, 5) };

describe('selectNativeSavedModel', () => {
  const stub = new StubApi();

  it.each(['auto', 'wasm', 'cpu'] as BackendName[])(
    "keeps the TypeScript translation for backend '%s' without importing anything",
    async (backend) => {
      const asked: string[] = [];
      const importer = (name: string) => {
        asked.push(name);
        return Promise.resolve({ node: stub });
      };
      expect(await selectNativeSavedModel(backend, importer)).toBeUndefined();
      expect(asked).toEqual([]);
    },
  );

  it("uses the first package that has node.loadSavedModel for backend 'tensorflow'", async () => {
    const asked: string[] = [];
    const api = await selectNativeSavedModel('tensorflow', (name) => {
      asked.push(name);
      if (name === '@tensorflow/tfjs-node-gpu') return Promise.reject(new Error('not found'));
      return Promise.resolve({ default: { node: stub } }); // CommonJS under ESM
    });
    expect(api).toBe(stub);
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('fails clearly, with each package and why, when none fits', async () => {
    const error = await selectNativeSavedModel('tensorflow', (name) =>
      name.endsWith('-gpu')
        ? Promise.reject(new Error('Cannot find package'))
        : Promise.resolve({}),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe(GrpcStatusCode.FAILED_PRECONDITION);
    expect((error as ModelLoadError).message).toMatch(
      /backend 'tensorflow' runs SavedModels with tfjs-node's tf\.node\.loadSavedModel, which could not be loaded \(@tensorflow\/tfjs-node-gpu: Cannot find package; @tensorflow\/tfjs-node: has no node\.loadSavedModel\)/,
    );
  });
});

describe('loadNativeSavedModel', () => {
  it('loads each servable signature and runs it by its aliases, disposing every tensor', async () => {
    await tf.setBackend('cpu');
    const api = new StubApi();
    const executor = await loadNativeSavedModel(api, '/models/m/1', ['serve'], DEFS);
    expect(api.calls).toEqual([
      ['/models/m/1', ['serve'], 'serving_default'],
      ['/models/m/1', ['serve'], 'half'],
    ]);
    expect(Object.keys(executor.signatures).sort()).toEqual([
      '__saved_model_init_op',
      'half',
      'serving_default',
    ]);
    expect(executor.signatures['half']!.inputs['x']).toMatchObject({ name: 'b_x:0' });
    const before = tf.memory().numTensors;
    expect(await executor.run('half', { x })).toEqual({
      y: { dtype: 'float32', shape: [3], data: Float32Array.of(2.5, 3, 4.5) },
      x_again: x,
    });
    expect(await executor.run('serving_default', { x }, ['y'])).toEqual({
      y: { dtype: 'float32', shape: [3], data: Float32Array.of(5, 8, 17) },
    });
    expect(tf.memory().numTensors).toBe(before);
    await expect(executor.run('__saved_model_init_op', {})).rejects.toThrow(UnimplementedError);
    await expect(executor.run('nope', { x })).rejects.toThrow("signature 'nope' is not served");
    executor.dispose();
    expect([...api.loaded.values()].map((m) => m.disposed)).toEqual([1, 1]);
  });

  it('fails naming the signature the engine refused, and keeps nothing loaded', async () => {
    const api = new StubApi();
    api.refuse = 'half';
    const error = await loadNativeSavedModel(api, '/m', ['serve'], DEFS).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "tfjs-node's loadSavedModel refused signature 'half': op not registered",
    );
    expect(api.loaded.get('serving_default')!.disposed).toBe(1);
  });

  it('replays warm-up requests on the native executor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'native-warmup-'));
    try {
      const api = new StubApi();
      const executor = await loadNativeSavedModel(api, dir, ['serve'], DEFS);
      await writeWarmupRequests(dir, [predictLog('half', { x: floatTensor([2], [1, 2]) })]);
      expect(await runSavedModelWarmup(executor, dir, { model: 'm', version: 1 })).toBe(1);
      executor.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("SavedModelLoader with backend 'tensorflow'", () => {
  it('fails the load with a clear error when tfjs-node is absent (as on this machine)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'native-loader-'));
    try {
      await writeMlpSavedModel(dir, { layers: [2, 1] });
      const error = await new SavedModelLoader()
        .load({
          modelName: 'm',
          version: 1,
          directory: dir,
          files: await readdir(dir),
          backend: 'tensorflow',
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as ModelLoadError).code).toBe(GrpcStatusCode.FAILED_PRECONDITION);
      expect((error as Error).message).toMatch(
        /^model 'm' version 1: backend 'tensorflow' runs SavedModels with tfjs-node's tf\.node\.loadSavedModel, which could not be loaded \(@tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed\); install @tensorflow\/tfjs-node, or use backend 'auto', 'wasm' or 'cpu'/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
