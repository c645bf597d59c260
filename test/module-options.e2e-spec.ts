import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Injectable, type LoggerService, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  configureModelServingApp,
  ModelRegistry,
  ModelServingModule,
  type ModelServingModuleOptions,
  type ModelServingOptionsFactory,
} from 'nest-model-serving';
import {
  call,
  callError,
  makeClient,
  predictionClient,
  REFERENCE_PROTOS,
} from './helpers/grpc-client.js';
import { bootGrpcServingApp } from './helpers/grpc-serving-app.js';
import { get, post } from './helpers/http.js';
import { writeMixedDtypesModel } from './helpers/mixed-dtypes-model.js';
import { tempDir, waitFor } from './helpers/model-dirs.js';
import { describeIfPresent, ROOT, SAMPLE_MODELS } from './helpers/paths.js';
import { startServingApp } from './helpers/serving-app.js';
import { SlowModelLoader } from './helpers/slow-model-loader.js';

const PROTOS_DIR = join(ROOT, 'libs', 'model-serving', 'src', 'protos');

const healthClient = (address: string) =>
  makeClient(PROTOS_DIR, ['grpc/health/v1/health.proto'], 'grpc.health.v1.Health', address);

const floats = (values: number[]) => ({
  dtype: 'DT_FLOAT',
  tensor_shape: { dim: [{ size: values.length }] },
  float_val: values,
});

/** Keeps what the app logs at warn level. */
class WarnRecorder implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

async function slowModelDir() {
  const base = await tempDir('slow-load');
  await mkdir(join(base.path, '1'));
  return base;
}

describeIfPresent(REFERENCE_PROTOS)('module options, end to end', () => {
  it('answers gRPC health NOT_SERVING while the initial load runs, then SERVING', async () => {
    const base = await slowModelDir();
    const loader = new SlowModelLoader({ models: ['slow'], loadMs: 3000 });
    const booting = await bootGrpcServingApp({
      pollIntervalMs: 0,
      loaders: [loader],
      models: [{ name: 'slow', basePath: base.path }],
    });
    const health = healthClient(booting.grpcAddress);
    const statuses: string[] = [];
    const stream = (health as any).Watch({ service: '' }) as grpc.ClientReadableStream<{
      status: string;
    }>;
    stream.on('data', (message: { status: string }) => statuses.push(message.status));
    const watchEnded = new Promise((resolve) => stream.on('status', resolve));
    stream.on('error', () => undefined);
    try {
      expect(await call(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
      const url = await booting.listening;
      expect(await call(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
      expect((await get(`${url}/v2/health/ready`)).status).toBe(200);
      await waitFor(() => Promise.resolve(statuses.length === 2 ? true : undefined));
      expect(statuses).toEqual(['NOT_SERVING', 'SERVING']);
    } finally {
      stream.cancel();
      await watchEnded;
      health.close();
      loader.settle();
      await booting.listening.catch(() => undefined);
      await booting.app.close();
      await base.cleanup();
    }
  });

  it('loadTimeoutMs: boot stops waiting for a slow initial load, serving starts not ready and turns ready when it ends', async () => {
    const base = await slowModelDir();
    const loader = new SlowModelLoader({ models: ['slow'], loadMs: 5000 });
    const logger = new WarnRecorder();
    const startedAt = Date.now();
    const serving = await startServingApp(
      {
        pollIntervalMs: 0,
        loadTimeoutMs: 1000,
        loaders: [loader],
        models: [{ name: 'slow', basePath: base.path }],
      },
      'express',
      { logger },
    );
    try {
      const bootMs = Date.now() - startedAt;
      expect(bootMs).toBeGreaterThanOrEqual(900);
      expect(bootMs).toBeLessThan(4500);
      expect(logger.warnings).toContain(
        'Initial model loads still running after 1000 ms; serving what is ready',
      );
      expect((await get(`${serving.url}/v2/health/ready`)).status).toBe(503);
      expect((await get(`${serving.url}/v1/models/slow`)).json).toEqual({
        model_version_status: [
          { version: '1', state: 'LOADING', status: { error_code: 'OK', error_message: '' } },
        ],
      });
      const early = await post(`${serving.url}/v1/models/slow:predict`, '{"instances": [1]}');
      expect(early.status).toBe(404);
      expect(early.json).toEqual({ error: 'Servable not found for request: Latest(slow)' });

      await waitFor(
        async () =>
          (await get(`${serving.url}/v2/health/ready`)).status === 200 ? true : undefined,
        15_000,
      );
      const late = await post(`${serving.url}/v1/models/slow:predict`, '{"instances": [1]}');
      expect(late.json).toEqual({ predictions: [1] });
    } finally {
      loader.settle();
      await serving.app.close();
      await base.cleanup();
    }
  });

  it('grpcTensorContent: answers carry tensor_content, not the typed fields, with the right values', async () => {
    const base = await tempDir('tensor-content');
    await writeMixedDtypesModel(join(base.path, 'mixed', '1'));
    const serving = await startServingApp(
      {
        pollIntervalMs: 0,
        grpcTensorContent: true,
        models: [
          { name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') },
          { name: 'mixed', basePath: join(base.path, 'mixed') },
        ],
      },
      'express',
      { grpc: true },
    );
    const prediction = predictionClient(serving.grpcAddress!);
    try {
      const half = await call(prediction, 'Predict', {
        model_spec: { name: 'half_plus_two' },
        inputs: { x: floats([1, 2, 5]) },
      });
      const y = half.outputs.y;
      expect(y.dtype).toBe('DT_FLOAT');
      expect(y.float_val).toEqual([]);
      expect(y.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['3']);
      const content = Buffer.from(y.tensor_content as Uint8Array);
      expect(content.length).toBe(12);
      expect([0, 1, 2].map((i) => content.readFloatLE(4 * i))).toEqual([2.5, 3, 4.5]);

      const shape = { dim: [{ size: 2 }] };
      const mixed = await call(prediction, 'Predict', {
        model_spec: { name: 'mixed' },
        inputs: {
          count: { dtype: 'DT_INT32', tensor_shape: shape, int_val: [41, -1] },
          flag: { dtype: 'DT_BOOL', tensor_shape: shape, bool_val: [true, false] },
          value: { dtype: 'DT_FLOAT', tensor_shape: shape, float_val: [1.25, -3] },
          blob: { dtype: 'DT_STRING', tensor_shape: shape, string_val: [Buffer.from('a')] },
        },
      });
      const bytes = (alias: string) =>
        Buffer.from(mixed.outputs[alias].tensor_content as Uint8Array);
      expect(mixed.outputs.count_out).toMatchObject({ dtype: 'DT_INT32', int_val: [] });
      expect([bytes('count_out').readInt32LE(0), bytes('count_out').readInt32LE(4)]).toEqual([
        42, 0,
      ]);
      expect(mixed.outputs.flag_out).toMatchObject({ dtype: 'DT_BOOL', bool_val: [] });
      expect([...bytes('flag_out')]).toEqual([0, 1]);
      expect(mixed.outputs.value_out).toMatchObject({ dtype: 'DT_FLOAT', float_val: [] });
      expect([bytes('value_out').readFloatLE(0), bytes('value_out').readFloatLE(4)]).toEqual([
        2.5, -6,
      ]);
      // Strings have no fixed-width encoding: TF Serving answers them in string_val either way.
      expect(mixed.outputs.blob_bytes.string_val).toEqual([Buffer.from('a'), Buffer.from('a')]);
      expect(bytes('blob_bytes').length).toBe(0);
    } finally {
      prediction.close();
      await serving.app.close();
      await base.cleanup();
    }
  });

  it('maxMessageBytes: a request over the limit fails with RESOURCE_EXHAUSTED, one under it passes', async () => {
    const booting = await bootGrpcServingApp(
      {
        pollIntervalMs: 0,
        models: [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }],
      },
      { maxMessageBytes: 64 * 1024 },
    );
    const prediction = predictionClient(booting.grpcAddress);
    try {
      await booting.listening;
      // About 4 bytes a float on the wire (packed): 1 000 floats fit, 20 000 do not.
      const small = await call(prediction, 'Predict', {
        model_spec: { name: 'half_plus_two' },
        inputs: { x: floats(Array.from({ length: 1000 }, (_, i) => i)) },
      });
      expect(small.outputs.y.float_val).toHaveLength(1000);
      expect(small.outputs.y.float_val[10]).toBe(7);
      const big = await callError(prediction, 'Predict', {
        model_spec: { name: 'half_plus_two' },
        inputs: { x: floats(Array.from({ length: 20_000 }, (_, i) => i)) },
      });
      expect(big.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(big.details).toMatch(/larger than max/i);
      // The server keeps serving after refusing one.
      expect(
        (
          await call(prediction, 'Predict', {
            model_spec: { name: 'half_plus_two' },
            inputs: { x: floats([2]) },
          })
        ).outputs.y.float_val,
      ).toEqual([3]);
    } finally {
      prediction.close();
      await booting.listening.catch(() => undefined);
      await booting.app.close();
    }
  });

  it('forRootAsync({ useExisting }) takes options from a factory another module provides', async () => {
    @Injectable()
    class ServingConfig implements ModelServingOptionsFactory {
      calls = 0;
      createModelServingOptions(): ModelServingModuleOptions {
        this.calls++;
        return {
          models: [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }],
          pollIntervalMs: 0,
        };
      }
    }
    @Module({ providers: [ServingConfig], exports: [ServingConfig] })
    class ServingConfigModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        ModelServingModule.forRootAsync({
          imports: [ServingConfigModule],
          useExisting: ServingConfig,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    configureModelServingApp(app, { enableShutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect(app.get(ModelRegistry).names()).toEqual(['half_plus_two']);
      const res = await post(`${url}/v1/models/half_plus_two:predict`, '{"instances": [1, 2]}');
      expect(res.json).toEqual({ predictions: [2.5, 3] });
      // The options came from the very instance the other module provides, not a copy.
      expect(app.select(ServingConfigModule).get(ServingConfig).calls).toBe(1);
    } finally {
      await app.close();
    }
  });
});
