import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTOS_DIR } from '../../../libs/model-serving/src/protos/proto-path.js';
import { encodeTfRecords } from '../../../libs/model-serving/src/engines/saved-model/tf-record.js';

/**
 * Warm-up requests for SavedModel exports (`assets.extra/tf_serving_warmup_requests`): plain
 * `tensorflow.serving.PredictionLog` objects (protobufjs `fromObject` form, camelCase), encoded
 * with the project's protos and framed as TFRecords.
 */

let predictionLogType: protobuf.Type | undefined;

function predictionLog(): protobuf.Type {
  if (!predictionLogType) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTOS_DIR, target);
    root.loadSync('tensorflow_serving/apis/prediction_log.proto');
    predictionLogType = root.lookupType('tensorflow.serving.PredictionLog');
  }
  return predictionLogType;
}

/** A float TensorProto. */
export function floatTensor(shape: readonly number[], values: readonly number[]): object {
  return {
    dtype: 'DT_FLOAT',
    tensorShape: { dim: shape.map((size) => ({ size })) },
    floatVal: values,
  };
}

/** A tf.Example of float features. */
export function floatExample(features: Readonly<Record<string, readonly number[]>>): object {
  return {
    features: {
      feature: Object.fromEntries(
        Object.entries(features).map(([name, value]) => [name, { floatList: { value } }]),
      ),
    },
  };
}

/** A PredictionLog holding a PredictRequest. */
export function predictLog(
  signatureName: string,
  inputs: Readonly<Record<string, object>>,
  outputFilter: readonly string[] = [],
): object {
  return {
    predictLog: {
      request: { modelSpec: { name: 'warmup', signatureName }, inputs, outputFilter },
    },
  };
}

/** The `Input` of a classify/regress request: an example list, with a context when given. */
function input(examples: readonly object[], context?: object): object {
  return context
    ? { exampleListWithContext: { examples, context } }
    : { exampleList: { examples } };
}

/** A PredictionLog holding a ClassificationRequest or RegressionRequest. */
export function exampleLog(
  kind: 'classify' | 'regress',
  signatureName: string,
  examples: readonly object[],
  context?: object,
): object {
  const request = { modelSpec: { name: 'warmup', signatureName }, input: input(examples, context) };
  return kind === 'classify' ? { classifyLog: { request } } : { regressLog: { request } };
}

/** A PredictionLog holding a MultiInferenceRequest: `[signature, method name]` per task. */
export function multiInferenceLog(
  tasks: readonly (readonly [signatureName: string, methodName: string])[],
  examples: readonly object[],
): object {
  return {
    multiInferenceLog: {
      request: {
        tasks: tasks.map(([signatureName, methodName]) => ({
          modelSpec: { name: 'warmup', signatureName },
          methodName,
        })),
        input: input(examples),
      },
    },
  };
}

/** Serializes one PredictionLog. */
export function encodePredictionLog(log: object): Uint8Array {
  const type = predictionLog();
  return type.encode(type.fromObject(log)).finish();
}

/** The warm-up file's path inside a version directory. */
export const warmupFile = (versionDir: string): string =>
  join(versionDir, 'assets.extra', 'tf_serving_warmup_requests');

/**
 * Writes `assets.extra/tf_serving_warmup_requests` into a version directory: each entry a
 * PredictionLog object, or raw bytes to frame as a record as they are (for broken records).
 */
export async function writeWarmupRequests(
  versionDir: string,
  logs: readonly (object | Uint8Array)[],
): Promise<string> {
  const file = warmupFile(versionDir);
  await mkdir(join(versionDir, 'assets.extra'), { recursive: true });
  const records = logs.map((log) => (log instanceof Uint8Array ? log : encodePredictionLog(log)));
  await writeFile(file, encodeTfRecords(records));
  return file;
}
