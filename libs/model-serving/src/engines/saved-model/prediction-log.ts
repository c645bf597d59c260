import { join } from 'node:path';
import protobuf from 'protobufjs';
import { GrpcStatusCode } from '../../errors/grpc-status-code.js';
import { ModelLoadError } from '../../errors/model-load.error.js';
import { PROTOS_DIR } from '../../protos/proto-path.js';
import { type TensorProtoMsg } from './tf-messages.js';

/**
 * TF Serving's logged requests (`tensorflow_serving/apis/prediction_log.proto`) as protobufjs
 * decodes them here: camelCase names, 64-bit integers as decimal strings, the set member of a
 * oneof named in its virtual field. Only the fields warm-up reads are listed.
 */
export interface ModelSpecMsg {
  name?: string;
  signatureName?: string;
}

export interface ExampleMsg {
  features?: { feature?: Record<string, unknown> };
}

export interface InputMsg {
  kind?: 'exampleList' | 'exampleListWithContext';
  exampleList?: { examples?: ExampleMsg[] };
  exampleListWithContext?: { examples?: ExampleMsg[]; context?: ExampleMsg };
}

export interface PredictRequestMsg {
  modelSpec?: ModelSpecMsg;
  inputs?: Record<string, TensorProtoMsg>;
  outputFilter?: string[];
}

export interface ExampleRequestMsg {
  modelSpec?: ModelSpecMsg;
  input?: InputMsg;
}

export interface MultiInferenceRequestMsg {
  tasks?: { modelSpec?: ModelSpecMsg; methodName?: string }[];
  input?: InputMsg;
}

export type LogType =
  'classifyLog' | 'regressLog' | 'multiInferenceLog' | 'predictLog' | 'predictStreamedLog';

export interface PredictionLogMsg {
  logType?: LogType;
  classifyLog?: { request?: ExampleRequestMsg };
  regressLog?: { request?: ExampleRequestMsg };
  multiInferenceLog?: { request?: MultiInferenceRequestMsg };
  predictLog?: { request?: PredictRequestMsg };
  predictStreamedLog?: { request?: PredictRequestMsg[] };
  /** The record holds a `session_run_log` (field 5, which the project's proto reserves). */
  sessionRunLog?: true;
}

/** TF Serving's name of a log type, as its protos spell it. */
export const LOG_TYPE_NAMES: Readonly<Record<LogType, string>> = {
  classifyLog: 'classify_log',
  regressLog: 'regress_log',
  multiInferenceLog: 'multi_inference_log',
  predictLog: 'predict_log',
  predictStreamedLog: 'predict_streamed_log',
};

const SESSION_RUN_LOG_FIELD = 5;

interface Types {
  predictionLog: protobuf.Type;
  example: protobuf.Type;
}

let types: Types | undefined;

function load(): Types {
  if (!types) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTOS_DIR, target);
    root.loadSync('tensorflow_serving/apis/prediction_log.proto', { keepCase: false });
    types = {
      predictionLog: root.lookupType('tensorflow.serving.PredictionLog'),
      example: root.lookupType('tensorflow.Example'),
    };
  }
  return types;
}

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

/** Whether the message's top level holds field `field` (unknown fields decode silently). */
function hasField(bytes: Uint8Array, field: number): boolean {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const key = reader.uint32();
    if (key >>> 3 === field) return true;
    reader.skipType(key & 7);
  }
  return false;
}

/**
 * Decodes one serialized `tensorflow.serving.PredictionLog`.
 * @throws ModelLoadError INVALID_ARGUMENT when the bytes are not one.
 */
export function decodePredictionLog(bytes: Uint8Array): PredictionLogMsg {
  const { predictionLog } = load();
  try {
    const log = predictionLog.toObject(predictionLog.decode(bytes), TO_OBJECT) as PredictionLogMsg;
    if (!log.logType && hasField(bytes, SESSION_RUN_LOG_FIELD)) log.sessionRunLog = true;
    return log;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelLoadError(
      `is not a valid PredictionLog protobuf (${reason})`,
      GrpcStatusCode.INVALID_ARGUMENT,
    );
  }
}

/**
 * The serialized `tensorflow.Example`s of an `Input`, the context's features merged into each
 * example as TF Serving does (a feature the example also has keeps the example's value).
 */
export function serializedExamples(input: InputMsg | undefined): Uint8Array[] {
  const { example } = load();
  const withContext = input?.kind === 'exampleListWithContext' && input.exampleListWithContext;
  const list = withContext ? withContext : input?.exampleList;
  const context = withContext ? (withContext.context?.features?.feature ?? {}) : {};
  return (list?.examples ?? []).map((one) => {
    const feature = { ...context, ...(one.features?.feature ?? {}) };
    return example.encode(example.fromObject({ features: { feature } })).finish();
  });
}
