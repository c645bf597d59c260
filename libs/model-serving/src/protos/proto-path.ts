import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the folder holding the project's `.proto` files: the include root of every
 * import they make (`import "tensorflow/core/framework/tensor.proto";`). The build copies the
 * folder next to the compiled output, so this resolves from `src` and from `dist` alike.
 */
export const PROTOS_DIR: string = resolve(fileURLToPath(new URL('.', import.meta.url)));

/** TF Serving's gRPC services: `tensorflow.serving.PredictionService` and `ModelService`. */
export const TF_SERVING_PROTO_FILES: readonly string[] = [
  'tensorflow_serving/apis/prediction_service.proto',
  'tensorflow_serving/apis/model_service.proto',
];

/** The Open Inference Protocol (KServe v2) service: `inference.GRPCInferenceService`. */
export const OPEN_INFERENCE_PROTO_FILES: readonly string[] = [
  'inference/open_inference_grpc.proto',
];

/** The standard gRPC health service: `grpc.health.v1.Health`. */
export const HEALTH_PROTO_FILES: readonly string[] = ['grpc/health/v1/health.proto'];
