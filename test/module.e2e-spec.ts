import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, Injectable, Module, Param, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  configureModelServingApp,
  InjectModel,
  type LoadContext,
  ModelExecutor,
  type ModelHandle,
  ModelLoader,
  ModelNotFoundError,
  ModelRegistry,
  ModelServingConfigError,
  ModelServingModule,
  type ModelServingModuleOptions,
  type ModelServingOptionsFactory,
  Servable,
  type TensorData,
  tensorToNested,
} from 'nest-model-serving';
import { get, post } from './helpers/http.js';
import { tempDir } from './helpers/model-dirs.js';
import { SAMPLE_MODELS } from './helpers/paths.js';

@Injectable()
class Calculator {
  constructor(
    @InjectModel('half_plus_two') readonly half: ModelHandle,
    @InjectModel('late') readonly late: ModelHandle,
  ) {}
}

@Controller('calc')
class CalcController {
  constructor(private readonly calc: Calculator) {}

  @Get(':x')
  async compute(@Param('x') x: string, @Query('version') version?: string) {
    const { y } = await this.calc.half.predict(
      { x: [Number(x)] },
      { version: version ? Number(version) : undefined },
    );
    return { y: tensorToNested(y!) };
  }
}

class OptionsFactory implements ModelServingOptionsFactory {
  createModelServingOptions(): ModelServingModuleOptions {
    return {
      models: [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }],
      pollIntervalMs: 0,
    };
  }
}

describe('ModelServingModule', () => {
  it('serves models given by forRootAsync({ useFactory }) to @InjectModel handles', async () => {
    @Module({
      imports: [
        ModelServingModule.forRootAsync({
          useFactory: async () => {
            await new Promise((r) => setTimeout(r, 10));
            return {
              models: [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }],
              pollIntervalMs: 0,
            };
          },
        }),
      ],
      providers: [Calculator],
      controllers: [CalcController],
    })
    class AppModule {}

    const app = (
      await Test.createTestingModule({ imports: [AppModule] }).compile()
    ).createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      expect((await get(`${url}/calc/6`)).json).toEqual({ y: [5] });
      const calc = app.get(Calculator);
      const out = await calc.half.predict({
        x: { dtype: 'float32', shape: [2], data: Float32Array.from([0, 10]) },
      });
      expect(Array.from(out.y!.data as Float32Array)).toEqual([2, 7]);
      expect(calc.half.status()).toEqual([{ version: 1, state: 'AVAILABLE' }]);
      expect(Object.keys(calc.half.metadata().signatures)).toEqual(['serving_default']);

      // A name unknown at boot fails at call time, and works once the model appears.
      await expect(calc.late.predict({ x: [1] })).rejects.toThrow(ModelNotFoundError);
      await expect(calc.late.predict({ x: [1] })).rejects.toThrow(
        'Servable not found for request: Latest(late)',
      );
      const registry = app.get(ModelRegistry);
      await registry.reloadConfig([
        ...registry.configs(),
        {
          name: 'late',
          basePath: join(SAMPLE_MODELS, 'half_plus_two'),
          versionPolicy: { latest: 1 },
          versionLabels: {},
        },
      ]);
      expect(tensorToNested((await calc.late.predict({ x: [4] })).y!)).toEqual([4]);
      await expect(calc.half.predict({ x: [[1]] })).rejects.toThrow("input 'x' expects shape [-1]");
      await expect(calc.half.predict({ x: ['a'] })).rejects.toThrow('"a" is not a float32 value');
      await expect(calc.half.predict({ z: [1] })).rejects.toThrow(
        'Sent extra: {z}. Missing but required: {x}.',
      );
    } finally {
      await app.close();
    }
  });

  it('takes options from a class with forRootAsync({ useClass })', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ModelServingModule.forRootAsync({ useClass: OptionsFactory })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      expect(app.get(ModelRegistry).names()).toEqual(['half_plus_two']);
      expect(app.get(ModelRegistry).ready).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('fails boot with an error naming the bad option', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [
        ModelServingModule.forRoot({
          models: [{ name: 'a', basePath: '/x', versionPolicy: { latest: 0 } }],
        }),
      ],
    });
    await expect(moduleRef.compile()).rejects.toThrow(ModelServingConfigError);
    await expect(
      Test.createTestingModule({
        imports: [ModelServingModule.forRoot({ pollIntervalMs: -5 })],
      }).compile(),
    ).rejects.toThrow(
      'ModelServingModule option pollIntervalMs must be a number of milliseconds >= 0, got -5',
    );
  });

  it('mounts no REST routes with rest: { enabled: false } and moves them with a prefix', async () => {
    const models = [{ name: 'half_plus_two', basePath: join(SAMPLE_MODELS, 'half_plus_two') }];
    const start = async (extras: object) => {
      const moduleRef = await Test.createTestingModule({
        imports: [ModelServingModule.forRoot({ models, pollIntervalMs: 0, ...extras })],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
    };
    const off = await start({ rest: { enabled: false } });
    try {
      expect((await get(`${off.url}/v1/models/half_plus_two`)).status).toBe(404);
      expect(off.app.get(ModelRegistry).ready).toBe(true);
    } finally {
      await off.app.close();
    }
    const prefixed = await start({ rest: { enabled: true, prefix: '/serving/' } });
    try {
      expect(
        (await get(`${prefixed.url}/serving/v1/models/half_plus_two`)).json.model_version_status[0]
          .state,
      ).toBe('AVAILABLE');
      expect((await get(`${prefixed.url}/v1/models/half_plus_two`)).status).toBe(404);
    } finally {
      await prefixed.app.close();
    }
  });
});

/** A format of its own: `scale.json` holds `{ "factor": k }`; the model computes k · x. */
class ScaleLoader extends ModelLoader {
  readonly format = 'scale-json';

  detect(context: LoadContext): boolean {
    return context.files.includes('scale.json');
  }

  async load(context: LoadContext): Promise<ModelExecutor> {
    const { factor } = JSON.parse(
      await readFile(join(context.directory, 'scale.json'), 'utf8'),
    ) as { factor: number };
    const spec = { name: 'x:0', dtype: 'float32' as const, shape: [-1] };
    return new (class extends ModelExecutor {
      readonly backend = 'js';
      readonly signatures = {
        serving_default: {
          methodName: 'tensorflow/serving/predict',
          inputs: { x: spec },
          outputs: { y: { ...spec, name: 'y:0' } },
        },
      };
      run(
        _key: string,
        inputs: Readonly<Record<string, TensorData>>,
      ): Promise<Record<string, TensorData>> {
        const x = inputs['x']!;
        return Promise.resolve({
          y: {
            dtype: 'float32',
            shape: x.shape,
            data: Float32Array.from(x.data as Float32Array, (v) => v * factor),
          },
        });
      }
      dispose(): void {}
    })();
  }
}

@Servable({ name: 'scaled', basePath: 'replaced-in-test' })
@Injectable()
class ScaledModelOwner {}

describe('extension points', () => {
  it('serves a format of its own through a loader from the options, declared by @Servable on a provider', async () => {
    const dir = await tempDir('scale');
    await mkdir(join(dir.path, '3'));
    await writeFile(join(dir.path, '3', 'scale.json'), '{"factor": 4}');
    Reflect.defineMetadata(Servable.KEY, { name: 'scaled', basePath: dir.path }, ScaledModelOwner);
    const moduleRef = await Test.createTestingModule({
      imports: [ModelServingModule.forRoot({ loaders: [new ScaleLoader()], pollIntervalMs: 0 })],
      providers: [ScaledModelOwner],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    configureModelServingApp(app, { enableShutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const res = await post(
        `${url}/v1/models/scaled/versions/3:predict`,
        '{"instances": [1.5, -2]}',
      );
      expect(res.text).toBe('{\n    "predictions": [6.0, -8.0\n    ]\n}');
    } finally {
      await app.close();
      await dir.cleanup();
    }
  });

  it('fails boot when two @Servable classes claim one name', async () => {
    @Servable({ name: 'twin', basePath: '/a' })
    @Injectable()
    class A {}
    @Servable({ name: 'twin', basePath: '/b' })
    @Injectable()
    class B {}
    const app = (
      await Test.createTestingModule({
        imports: [ModelServingModule.forRoot({ pollIntervalMs: 0 })],
        providers: [A, B],
      }).compile()
    ).createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      '@Servable model name "twin" is declared by both A and B',
    );
    await app.close();
  });
});
