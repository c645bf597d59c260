import { isAbsolute } from 'node:path';
import { ModelServingConfigError } from '../errors/model-serving-config.error.js';
import { DEFAULTS, resolveOptions } from './resolve-options.js';

describe('resolveOptions', () => {
  it('applies defaults and freezes', () => {
    const resolved = resolveOptions({ models: [{ name: 'm', basePath: 'models/m' }] });
    expect(resolved.pollIntervalMs).toBe(DEFAULTS.pollIntervalMs);
    expect(resolved.maxLoadRetries).toBe(5);
    expect(resolved.loadRetryIntervalMs).toBe(60_000);
    expect(resolved.backend).toBe('auto');
    expect(resolved.models[0]).toEqual({
      name: 'm',
      basePath: expect.stringMatching(/models\/m$/),
      versionPolicy: { latest: 1 },
      versionLabels: {},
    });
    expect(isAbsolute(resolved.models[0]!.basePath)).toBe(true);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.models[0])).toBe(true);
  });

  it('resolves a prediction log: the prefix absolute, 4 MiB records and 1 GiB files by default', () => {
    const { models } = resolveOptions({
      models: [
        {
          name: 'm',
          basePath: '/m',
          predictionLog: { filenamePrefix: 'logs/m', samplingRate: 0.1 },
        },
      ],
    });
    expect(models[0]!.predictionLog).toEqual({
      filenamePrefix: expect.stringMatching(/^\/.*\/logs\/m$/),
      samplingRate: 0.1,
      maxRecordBytes: 4 * 1024 * 1024,
      maxFileBytes: 1024 * 1024 * 1024,
    });
  });

  it.each([
    [{ pollIntervalMs: -1 }, 'pollIntervalMs must be a number of milliseconds >= 0, got -1'],
    [{ maxLoadRetries: 1.5 }, 'maxLoadRetries must be an integer >= 0, got 1.5'],
    [{ backend: 'gpu' }, 'backend must be one of auto, wasm, cpu, tensorflow, got "gpu"'],
    [{ models: [{ name: '', basePath: '/x' }] }, 'models[0].name must be a non-empty name'],
    [{ models: [{ name: 'a', basePath: '' }] }, 'models[0].basePath must be a non-empty path'],
    [
      { models: [{ name: 'a', basePath: '/x', versionPolicy: { latest: 0 } }] },
      'models[0].versionPolicy.latest must be an integer >= 1, got 0',
    ],
    [
      { models: [{ name: 'a', basePath: '/x', versionPolicy: { latest: 1, all: true } }] },
      'models[0].versionPolicy must be one of',
    ],
    [
      { models: [{ name: 'a', basePath: '/x', versionLabels: { stable: -2 } }] },
      'models[0].versionLabels.stable must be an integer >= 0, got -2',
    ],
    [
      { models: [{ name: 'a', basePath: '/x', predictionLog: { samplingRate: 1 } }] },
      'models[0].predictionLog.filenamePrefix must be a non-empty path prefix',
    ],
    [
      {
        models: [
          { name: 'a', basePath: '/x', predictionLog: { filenamePrefix: '/l', samplingRate: 2 } },
        ],
      },
      'models[0].predictionLog.samplingRate must be a number in [0, 1], got 2',
    ],
    [
      {
        models: [
          {
            name: 'a',
            basePath: '/x',
            predictionLog: { filenamePrefix: '/l', samplingRate: 1, maxRecordBytes: 0 },
          },
        ],
      },
      'models[0].predictionLog.maxRecordBytes must be an integer >= 1, got 0',
    ],
    [
      {
        models: [
          { name: 'a', basePath: '/x' },
          { name: 'a', basePath: '/y' },
        ],
      },
      'models[1].name repeats the model name "a"',
    ],
    [{ modelConfigFile: '' }, 'modelConfigFile must be a non-empty path'],
  ])('rejects %j naming the field', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(ModelServingConfigError);
    expect(() => resolveOptions(options as never)).toThrow(message);
  });

  it('turns warm-up on and labels for unavailable versions off by default, and checks both', () => {
    const models = [{ name: 'm', basePath: 'models/m' }];
    const defaults = resolveOptions({ models });
    expect(defaults.enableModelWarmup).toBe(true);
    expect(defaults.allowVersionLabelsForUnavailableModels).toBe(false);
    const set = resolveOptions({
      models,
      enableModelWarmup: false,
      allowVersionLabelsForUnavailableModels: true,
    });
    expect(set.enableModelWarmup).toBe(false);
    expect(set.allowVersionLabelsForUnavailableModels).toBe(true);
    expect(() => resolveOptions({ models, enableModelWarmup: 'no' as never })).toThrow(
      'enableModelWarmup must be true or false, got "no"',
    );
  });

  it('resolves requestLog, maxEventLoopLagMs, workers and model platforms, naming bad fields', () => {
    expect(resolveOptions({}).requestLog).toBeUndefined();
    expect(resolveOptions({ requestLog: true }).requestLog).toEqual({ sampleRate: 1 });
    expect(resolveOptions({ requestLog: { sampleRate: 0.25 } }).requestLog).toEqual({
      sampleRate: 0.25,
    });
    for (const bad of [null, 2, { sampleRate: 1.5 }, { sampleRate: 'all' }]) {
      expect(() => resolveOptions({ requestLog: bad as never })).toThrow(
        'ModelServingModule option requestLog must be true, false or { sampleRate: 0..1 }',
      );
    }
    expect(resolveOptions({}).maxEventLoopLagMs).toBe(5000);
    expect(resolveOptions({ workers: 0 }).workers).toBe(0);
    expect(() => resolveOptions({ workers: -1 })).toThrow('workers must be an integer >= 0');
    expect(
      resolveOptions({ models: [{ name: 'm', basePath: '/m', platform: 'onnx' }] }).models[0],
    ).toMatchObject({ platform: 'onnx' });
    expect(() =>
      resolveOptions({ models: [{ name: 'm', basePath: '/m', platform: 'pytorch' as never }] }),
    ).toThrow('models[0].platform must be one of tensorflow, tfjs, onnx, got "pytorch"');
  });

  it('resolves the SavedModel engine, per model and for all, naming bad values', () => {
    expect(resolveOptions({}).savedModelEngine).toBe('auto');
    expect(resolveOptions({ savedModelEngine: 'tfjs' }).savedModelEngine).toBe('tfjs');
    const [model] = resolveOptions({
      models: [{ name: 'm', basePath: '/m', engine: 'onnx' }],
    }).models;
    expect(model).toMatchObject({ engine: 'onnx' });
    expect(() => resolveOptions({ savedModelEngine: 'tensorflow' as never })).toThrow(
      'savedModelEngine must be one of auto, onnx, tfjs, got "tensorflow"',
    );
    expect(() =>
      resolveOptions({ models: [{ name: 'm', basePath: '/m', engine: 'gpu' as never }] }),
    ).toThrow('models[0].engine must be one of auto, onnx, tfjs, got "gpu"');
  });
});
