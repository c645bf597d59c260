import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { writeMlpSavedModel } from '../../../../../test/helpers/saved-model-writer/mlp-export.js';
import {
  encodePredictionLog,
  exampleLog,
  floatExample,
  floatTensor,
  multiInferenceLog,
  predictLog,
  writeWarmupRequests,
} from '../../../../../test/helpers/saved-model-writer/warmup-writer.js';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { InvalidInputError } from '../../errors/invalid-input.error.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { decodeExample } from '../../models/examples/example-codec.js';
import { ModelExecutor } from '../../models/model.executor.js';
import { type SignatureMap } from '../../models/signature.js';
import { isStringData, type TensorData } from '../../tensor/tensor-data.js';
import { SavedModelLoader } from './saved-model.loader.js';
import { MAX_WARMUP_RECORDS, runSavedModelWarmup } from './saved-model-warmup.js';

const CLASSIFY = 'tensorflow/serving/classify';
const REGRESS = 'tensorflow/serving/regress';
const float = (name: string) => ({ name, dtype: 'float32' as const });

/** Records every run; answers each example-signature with one value per example. */
class RecordingExecutor extends ModelExecutor {
  readonly backend = 'recording';
  readonly runs: { key: string; inputs: Record<string, TensorData>; outputs?: string[] }[] = [];
  failWith?: Error;
  readonly signatures: SignatureMap = {
    serving_default: {
      methodName: 'tensorflow/serving/predict',
      inputs: { x: { ...float('x:0'), shape: [-1, 2] } },
      outputs: { y: float('y:0'), z: float('z:0') },
    },
    classify: {
      methodName: CLASSIFY,
      inputs: { inputs: { name: 'ex:0', dtype: 'string' } },
      outputs: { scores: float('s:0') },
    },
    regress: {
      methodName: REGRESS,
      inputs: { inputs: { name: 'ex:0', dtype: 'string' } },
      outputs: { outputs: float('o:0') },
    },
  };

  run(key: string, inputs: Readonly<Record<string, TensorData>>, outputs?: readonly string[]) {
    this.runs.push({ key, inputs: { ...inputs }, ...(outputs ? { outputs: [...outputs] } : {}) });
    if (this.failWith) return Promise.reject(this.failWith);
    const n = Object.values(inputs)[0]?.shape[0] ?? 0;
    const column = { dtype: 'float32' as const, shape: [n, 1], data: new Float32Array(n) };
    return Promise.resolve({ y: column, z: column, scores: column, outputs: column });
  }

  dispose(): void {}
}

describe('runSavedModelWarmup', () => {
  let dir: string;
  let n = 0;
  const target = { model: 'm', version: 1 };
  /** A fresh version directory holding `logs` as its warm-up file. */
  const versionWith = async (logs: readonly (object | Uint8Array)[]) => {
    const version = join(dir, String(++n));
    await writeWarmupRequests(version, logs);
    return version;
  };
  const failure = async (executor: ModelExecutor, version: string) => {
    try {
      await runSavedModelWarmup(executor, version, target);
    } catch (error) {
      if (error instanceof ModelLoadError) return error;
      throw error;
    }
    throw new Error('warm-up succeeded');
  };

  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'saved-model-warmup-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('does nothing when the version has no warm-up file', async () => {
    const executor = new RecordingExecutor();
    expect(await runSavedModelWarmup(executor, dir, target)).toBe(0);
    expect(executor.runs).toEqual([]);
  });

  it('replays predict requests with their signature, inputs and output filter', async () => {
    const executor = new RecordingExecutor();
    const version = await versionWith([
      predictLog('', { x: floatTensor([2, 2], [1, 2, 3, 4]) }),
      predictLog('serving_default', { x: floatTensor([1, 2], [5, 6]) }, ['z']),
    ]);
    expect(await runSavedModelWarmup(executor, version, target)).toBe(2);
    expect(executor.runs).toEqual([
      {
        key: 'serving_default',
        inputs: { x: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } },
      },
      {
        key: 'serving_default',
        inputs: { x: { dtype: 'float32', shape: [1, 2], data: Float32Array.of(5, 6) } },
        outputs: ['z'],
      },
    ]);
  });

  it('feeds classify and regress signatures serialized examples, context merged', async () => {
    const executor = new RecordingExecutor();
    const context = floatExample({ shared: [7], x: [0] });
    const version = await versionWith([
      exampleLog('classify', 'classify', [floatExample({ x: [1] }), floatExample({ x: [2] })]),
      exampleLog('regress', 'regress', [floatExample({ x: [3] })], context),
      multiInferenceLog(
        [
          ['classify', CLASSIFY],
          ['regress', REGRESS],
        ],
        [floatExample({ x: [4] })],
      ),
      {},
    ]);
    expect(await runSavedModelWarmup(executor, version, target)).toBe(4);
    expect(executor.runs.map((r) => [r.key, r.outputs])).toEqual([
      ['classify', ['scores']],
      ['regress', ['outputs']],
      ['classify', ['scores']],
      ['regress', ['outputs']],
    ]);
    const examples = executor.runs.map((r) => {
      const fed = r.inputs['inputs']!;
      if (!isStringData(fed.data)) throw new Error('examples are strings');
      return fed.data.map((bytes) => Object.fromEntries(decodeExample(bytes)));
    });
    expect(examples[0]).toEqual([
      { x: { kind: 'float', values: [1] } },
      { x: { kind: 'float', values: [2] } },
    ]);
    // The example's own x wins over the context's.
    expect(examples[1]).toEqual([
      { shared: { kind: 'float', values: [7] }, x: { kind: 'float', values: [3] } },
    ]);
  });

  it.each([
    [
      'a missing signature',
      predictLog('nope', { x: floatTensor([1, 2], [1, 2]) }),
      /record 1 \(predict_log\) failed: Serving signature name: "nope" not found/,
      GrpcStatusCode.INVALID_ARGUMENT,
    ],
    [
      'a missing input',
      predictLog('serving_default', {}),
      /record 1 \(predict_log\) failed: input size does not match signature/,
      GrpcStatusCode.INVALID_ARGUMENT,
    ],
    [
      'an int64 beyond int32',
      predictLog('serving_default', {
        x: { dtype: 'DT_INT64', tensorShape: { dim: [{ size: 1 }] }, int64Val: ['4294967296'] },
      }),
      /record 1 \(predict_log\) failed: input 'x' \(DT_INT64\) holds 4294967296/,
      GrpcStatusCode.INVALID_ARGUMENT,
    ],
    [
      'classifying with a regress signature',
      exampleLog('classify', 'regress', [floatExample({ x: [1] })]),
      /record 1 \(classify_log\) failed: Expected classification signature method_name/,
      GrpcStatusCode.INVALID_ARGUMENT,
    ],
    [
      'no examples',
      exampleLog('regress', 'regress', []),
      /record 1 \(regress_log\) failed: Input is empty\./,
      GrpcStatusCode.INVALID_ARGUMENT,
    ],
    [
      'an unknown task method',
      multiInferenceLog([['classify', 'tensorflow/serving/predict']], [floatExample({})]),
      /record 1 \(multi_inference_log\) failed: Unsupported signature method_name/,
      GrpcStatusCode.UNIMPLEMENTED,
    ],
    [
      'a session_run_log',
      Uint8Array.of(0x2a, 0x00), // field 5, length-delimited, empty
      /record 1 \(session_run_log\) failed: .*not supported/,
      GrpcStatusCode.UNIMPLEMENTED,
    ],
    [
      'bytes that are no PredictionLog',
      new TextEncoder().encode('malformed_record'),
      /record 1 is not a valid PredictionLog protobuf/,
      GrpcStatusCode.INVALID_ARGUMENT,
    ],
  ])('fails on %s, naming the record', async (_what, bad, message, code) => {
    const executor = new RecordingExecutor();
    const good = predictLog('', { x: floatTensor([1, 2], [1, 2]) });
    const error = await failure(executor, await versionWith([good, bad, good]));
    expect(error.message).toMatch(/^assets\.extra\/tf_serving_warmup_requests: /);
    expect(error.message).toMatch(message);
    expect(error.code).toBe(code);
    expect(executor.runs.length).toBeLessThanOrEqual(2);
  });

  it("fails when a request fails in the engine, keeping the error's code", async () => {
    const executor = new RecordingExecutor();
    executor.failWith = new InvalidInputError('shapes do not fit');
    const version = await versionWith([predictLog('', { x: floatTensor([1, 2], [1, 2]) })]);
    const error = await failure(executor, version);
    expect(error.message).toMatch(/record 0 \(predict_log\) failed: shapes do not fit/);
    expect(error.code).toBe(GrpcStatusCode.INVALID_ARGUMENT);
  });

  it(`replays up to ${MAX_WARMUP_RECORDS} records and refuses a file with more`, async () => {
    const log = encodePredictionLog(predictLog('', { x: floatTensor([1, 2], [1, 2]) }));
    const executor = new RecordingExecutor();
    const full = await versionWith(Array.from({ length: MAX_WARMUP_RECORDS }, () => log));
    expect(await runSavedModelWarmup(executor, full, target)).toBe(MAX_WARMUP_RECORDS);
    const over = await versionWith(Array.from({ length: MAX_WARMUP_RECORDS + 1 }, () => log));
    const error = await failure(new RecordingExecutor(), over);
    expect(error.message).toMatch(/number of warm-up records exceeds the maximum \(1000\)/);
    expect(error.code).toBe(GrpcStatusCode.INVALID_ARGUMENT);
  });

  it('leaves no tensor behind on a real SavedModel', async () => {
    const version = join(dir, 'mlp');
    await writeMlpSavedModel(version, { layers: [2, 4, 1] });
    const executor = await new SavedModelLoader().load({
      modelName: 'mlp',
      version: 1,
      directory: version,
      files: await readdir(version),
      backend: 'cpu',
      engine: 'tfjs',
    });
    try {
      const before = tf.memory().numTensors;
      await writeWarmupRequests(version, [
        predictLog('', { x: floatTensor([3, 2], [1, 2, 3, 4, 5, 6]) }),
        predictLog('', { x: floatTensor([1, 2], [1, 2]) }, ['y']),
      ]);
      expect(await runSavedModelWarmup(executor, version, target)).toBe(2);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await executor.dispose();
    }
  });
});
