import type protobuf from 'protobufjs';
import { type InferenceExchange } from '../../models/inference-observer.js';
import { protoRoot } from '../../protos/proto-root.js';
import { declaredTfName } from '../../tensor/dtypes.js';
import { type TensorData } from '../../tensor/tensor-data.js';
import { type TensorSpec } from '../../models/signature.js';
import {
  classificationResult,
  multiInferenceResponse,
  regressionResult,
} from '../grpc/classification-service.js';
import { writeModelSpec } from '../grpc/model-spec.js';
import { encodeTensorProto } from '../grpc/tensor-proto.codec.js';

let looked: { predictionLog: protobuf.Type; example: protobuf.Type } | undefined;

/** TF Serving's types with their own field names, so the gRPC messages' objects fit as they are. */
function types(): { predictionLog: protobuf.Type; example: protobuf.Type } {
  if (!looked) {
    const root = protoRoot();
    looked = {
      predictionLog: root.lookupType('tensorflow.serving.PredictionLog'),
      example: root.lookupType('tensorflow.Example'),
    };
  }
  return looked;
}

/** The tensors as a `map<string, TensorProto>`, each in its declared dtype, values packed. */
function tensorMap(
  tensors: Readonly<Record<string, TensorData>>,
  specs: Readonly<Record<string, TensorSpec>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [alias, tensor] of Object.entries(tensors)) {
    out[alias] = encodeTensorProto(tensor, declaredTfName(specs[alias], tensor.dtype), true);
  }
  return out;
}

/** What a call was asked and answered, as the `log_type` member of a `PredictionLog`. */
function logOf(exchange: InferenceExchange, examples: protobuf.Type): Record<string, unknown> {
  const spec = writeModelSpec(exchange.modelSpec);
  if (exchange.method === 'predict') {
    const { signature } = exchange;
    return {
      predict_log: {
        request: {
          model_spec: spec,
          inputs: tensorMap(exchange.inputs, signature.inputs),
          output_filter: exchange.outputFilter ?? [],
        },
        response: { model_spec: spec, outputs: tensorMap(exchange.outputs, signature.outputs) },
      },
    };
  }
  const input = {
    example_list: { examples: exchange.examples.map((bytes) => examples.decode(bytes)) },
  };
  switch (exchange.method) {
    case 'classify':
      return {
        classify_log: {
          request: { model_spec: spec, input },
          response: { model_spec: spec, result: classificationResult(exchange.classes) },
        },
      };
    case 'regress':
      return {
        regress_log: {
          request: { model_spec: spec, input },
          response: { model_spec: spec, result: regressionResult(exchange.values) },
        },
      };
    case 'multi_inference':
      return {
        multi_inference_log: {
          request: {
            tasks: exchange.results.map((result, i) => ({
              model_spec: writeModelSpec(result.modelSpec),
              method_name: exchange.methods[i] ?? '',
            })),
            input,
          },
          response: multiInferenceResponse(exchange.results),
        },
      };
  }
}

/**
 * One call as a serialized `tensorflow.serving.PredictionLog`: `log_metadata` (the model spec
 * that ran, the sampling rate, the `serve` tag, the time) and the request and answer as TF
 * Serving's gRPC API writes them (tensors in `tensor_content`, strings in `string_val`).
 */
export function encodePredictionLog(
  exchange: InferenceExchange,
  samplingRate: number,
  timestampMs: number,
): Uint8Array {
  const { predictionLog, example } = types();
  const message = predictionLog.fromObject({
    log_metadata: {
      model_spec: writeModelSpec(exchange.modelSpec),
      sampling_config: { sampling_rate: samplingRate },
      saved_model_tags: ['serve'],
      timestamp_secs: String(Math.floor(timestampMs / 1000)),
    },
    ...logOf(exchange, example),
  });
  return predictionLog.encode(message).finish();
}
