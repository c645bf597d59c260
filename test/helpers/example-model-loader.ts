import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import protobuf from 'protobufjs';
import {
  InvalidInputError,
  type LoadContext,
  ModelExecutor,
  ModelLoader,
  type SignatureMap,
  type TensorData,
  type TensorSpec,
} from 'nest-model-serving';
import { resolveOptions } from '../../libs/model-serving/src/config/resolve-options.js';
import { PROTOS_DIR } from '../../libs/model-serving/src/protos/proto-path.js';
import { InferenceService } from '../../libs/model-serving/src/models/inference.service.js';
import { ModelRegistry } from '../../libs/model-serving/src/models/model.registry.js';
import { REFERENCE_PROTOS } from './grpc-client.js';
import { tempDir } from './model-dirs.js';

let example: protobuf.Type | undefined;

/** `tensorflow.Example` from TensorFlow's reference protos when present, else the project's. */
function exampleType(): protobuf.Type {
  if (!example) {
    const dir = existsSync(REFERENCE_PROTOS) ? REFERENCE_PROTOS : PROTOS_DIR;
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(dir, target);
    root.loadSync('tensorflow/core/example/example.proto', { keepCase: true });
    example = root.lookupType('tensorflow.Example');
  }
  return example;
}

export interface FeatureObject {
  float_list?: { value?: number[] };
  int64_list?: { value?: string[] };
  bytes_list?: { value?: Uint8Array[] };
}

/** A serialized example decoded with protobufjs (int64 as strings, bytes as Buffers). */
export function decodeExampleObject(bytes: Uint8Array): {
  features?: { feature?: Record<string, FeatureObject> };
} {
  return exampleType().toObject(exampleType().decode(bytes), { longs: String });
}

/**
 * Feature `x` of each serialized example, a required float, as half_plus_two's `ParseExample`
 * reads it. The messages are this fake's own: tests assert the product's parser on the real
 * SavedModel instead.
 */
function readX(serialized: readonly Uint8Array[]): number[] {
  return serialized.map((bytes, i) => {
    const x = decodeExampleObject(bytes).features?.feature?.['x'];
    if (!x) {
      throw new InvalidInputError(`example model: example ${i} has no feature x`);
    }
    const value = x.float_list?.value?.[0];
    if (value === undefined) {
      const kind = x.int64_list ? 'int64' : x.bytes_list ? 'string' : 'float';
      throw new InvalidInputError(`example model: example ${i} has ${kind} feature x, not float`);
    }
    return value;
  });
}

const float = (name: string, shape: number[] = [-1, 1]): TensorSpec => ({
  name,
  dtype: 'float32',
  shape,
});
/** The serialized-examples input of half_plus_two's classify/regress signatures (unknown rank). */
const EXAMPLES: TensorSpec = { name: 'tf_example:0', dtype: 'string' };
type Specs = Record<string, TensorSpec>;

function signatures(tf2: boolean): SignatureMap {
  // TF2 exports label every signature predict; TF Serving still classifies and regresses on them.
  const sig = (method: string, inputs: Specs, outputs: Specs) => ({
    methodName: `tensorflow/serving/${tf2 ? 'predict' : method}`,
    inputs,
    outputs,
  });
  const examples = { inputs: EXAMPLES };
  return {
    serving_default: sig('predict', { x: float('x:0') }, { y: float('y:0') }),
    classify_x_to_y: sig('classify', examples, { scores: float('y:0') }),
    regress_x_to_y: sig('regress', examples, { outputs: float('y:0') }),
    regress_x_to_y2: sig('regress', examples, { outputs: float('y2:0') }),
    regress_x2_to_y3: sig('regress', { inputs: float('x2:0') }, { outputs: float('y3:0') }),
    // Not in half_plus_two: a classifier with labels, and a regressor answering two columns.
    classify_x_to_classes: sig('classify', examples, {
      classes: { name: 'classes:0', dtype: 'string', shape: [-1, 2] },
      scores: float('scores:0', [-1, 2]),
    }),
    regress_two_columns: sig('regress', examples, { outputs: float('y:0', [-1, 2]) }),
  };
}

const column = (values: number[], width = 1): TensorData => ({
  dtype: 'float32',
  shape: [values.length / width, width],
  data: Float32Array.from(values),
});

/** y = 0.5·x + 2 (half_plus_two), computed from what each signature is fed. */
class HalfPlusTwoExecutor extends ModelExecutor {
  readonly backend = 'js';
  readonly signatures: SignatureMap;
  /** The serialized examples of every classify/regress run, for tests to inspect. */
  readonly fed: Uint8Array[][] = [];

  constructor(readonly model: string) {
    super();
    this.signatures = signatures(model === 'tf2');
  }

  run(
    key: string,
    inputs: Readonly<Record<string, TensorData>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>> {
    const all = this.compute(key, inputs);
    const wanted = outputs ?? Object.keys(all);
    return Promise.resolve(Object.fromEntries(wanted.map((alias) => [alias, all[alias]!])));
  }

  private compute(
    key: string,
    inputs: Readonly<Record<string, TensorData>>,
  ): Record<string, TensorData> {
    const floats = (alias: string) => Array.from(inputs[alias]!.data as Float32Array);
    if (key === 'serving_default') return { y: column(floats('x').map((x) => 0.5 * x + 2)) };
    if (key === 'regress_x2_to_y3')
      return { outputs: column(floats('inputs').map((x) => 0.5 * x + 3)) };
    const serialized = inputs['inputs']!.data as Uint8Array[];
    this.fed.push([...serialized]);
    const xs = readX(serialized);
    switch (key) {
      case 'classify_x_to_y':
        return { scores: column(xs.map((x) => 0.5 * x + 2)) };
      case 'regress_x_to_y':
        return { outputs: column(xs.map((x) => 0.5 * x + 2)) };
      case 'regress_x_to_y2':
        return { outputs: column(xs.map((x) => 0.5 * x + 3)) };
      case 'regress_two_columns':
        return {
          outputs: column(
            xs.flatMap((x) => [x, x]),
            2,
          ),
        };
      default: {
        const labels = ['half_plus_two', 'half_plus_three'].map((l) => new TextEncoder().encode(l));
        return {
          classes: { dtype: 'string', shape: [xs.length, 2], data: xs.flatMap(() => labels) },
          scores: column(
            xs.flatMap((x) => [0.5 * x + 2, 0.5 * x + 3]),
            2,
          ),
        };
      }
    }
  }

  dispose(): void {}
}

/**
 * Loads models named `default` (TF1-style method names, like TF Serving's
 * saved_model_half_plus_two_cpu served as `default`) and `tf2` (every method `predict`, like
 * its TF2 export) from any version directory: an executor that really parses the serialized
 * `tensorflow.Example`s it is fed, with protobufjs.
 */
export class ExampleModelLoader extends ModelLoader {
  readonly format = 'half-plus-two-examples';
  readonly executors: HalfPlusTwoExecutor[] = [];

  detect(context: LoadContext): boolean {
    return context.modelName === 'default' || context.modelName === 'tf2';
  }

  load(context: LoadContext): Promise<ModelExecutor> {
    const executor = new HalfPlusTwoExecutor(context.modelName);
    this.executors.push(executor);
    return Promise.resolve(executor);
  }
}

/** The example models' directories (version 123 of each) and their config, label `stable`. */
export async function exampleModelDirs() {
  const base = await tempDir('examples');
  for (const model of ['default', 'tf2']) {
    await mkdir(join(base.path, model, '123'), { recursive: true });
  }
  const models = [
    { name: 'default', basePath: join(base.path, 'default'), versionLabels: { stable: 123 } },
    { name: 'tf2', basePath: join(base.path, 'tf2') },
  ];
  return { models, cleanup: base.cleanup };
}

/** An `InferenceService` over the example models without a Nest app, for unit specs. */
export async function startExampleInference() {
  Logger.overrideLogger(false); // the registry logs every load and unload
  const dirs = await exampleModelDirs();
  const loader = new ExampleModelLoader();
  const options = resolveOptions({ pollIntervalMs: 0, loaders: [loader], models: dirs.models });
  const registry = new ModelRegistry(options, { loaders: options.loaders, plugins: [] });
  await registry.reloadConfig(options.models);
  return {
    inference: new InferenceService(registry, options),
    loader,
    close: async () => {
      await registry.close();
      await dirs.cleanup();
    },
  };
}
