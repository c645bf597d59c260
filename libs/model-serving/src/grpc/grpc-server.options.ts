import { type INestApplication } from '@nestjs/common';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import {
  HEALTH_PROTO_FILES,
  OPEN_INFERENCE_PROTO_FILES,
  PROTOS_DIR,
  TF_SERVING_PROTO_FILES,
} from '../protos/proto-path.js';
import {
  malformedRequestInterceptor,
  tolerateMalformedRequests,
} from './malformed-request.interceptor.js';

/** The proto packages whose services the server answers. */
const GRPC_PACKAGES = ['tensorflow.serving', 'inference', 'grpc.health.v1'];
const GRPC_PROTO_FILES = [
  ...TF_SERVING_PROTO_FILES,
  ...OPEN_INFERENCE_PROTO_FILES,
  ...HEALTH_PROTO_FILES,
];

/** Options of `connectModelServingGrpc`. @publicApi */
export interface ModelServingGrpcOptions {
  /** @defaultValue 8500 (TF Serving's `--port`) */
  port?: number;
  /** @defaultValue `'0.0.0.0'` */
  host?: string;
  /**
   * Largest message received or sent (bytes). grpc-js allows 4 MiB unless told otherwise;
   * TF Serving allows 2 GiB. @defaultValue 2147483647
   */
  maxMessageBytes?: number;
}

/** The Nest microservice options of the library's gRPC server. */
export function modelServingGrpcOptions(options: ModelServingGrpcOptions = {}): GrpcOptions {
  const maxMessageBytes = options.maxMessageBytes ?? 2 ** 31 - 1;
  return {
    transport: Transport.GRPC,
    options: {
      url: `${options.host ?? '0.0.0.0'}:${options.port ?? 8500}`,
      package: [...GRPC_PACKAGES],
      protoPath: [...GRPC_PROTO_FILES],
      loader: {
        keepCase: true,
        longs: String,
        enums: String,
        defaults: true,
        oneofs: true,
        includeDirs: [PROTOS_DIR],
      },
      maxReceiveMessageLength: maxMessageBytes,
      maxSendMessageLength: maxMessageBytes,
      gracefulShutdown: true,
      // Malformed request bytes answer INVALID_ARGUMENT, not grpc-js's INTERNAL.
      onLoadPackageDefinition: (definition: Record<string, unknown>) =>
        tolerateMalformedRequests(definition),
      channelOptions: { interceptors: [malformedRequestInterceptor] },
    },
  };
}

/**
 * Serves TF Serving's gRPC API (and the Open Inference Protocol's, and gRPC health) from an
 * application whose module has `grpc: { enabled: true }`: connects the gRPC microservice and
 * starts it. Call it in `main.ts` before or after `listen`.
 * @publicApi
 */
export async function connectModelServingGrpc(
  app: INestApplication,
  options: ModelServingGrpcOptions = {},
): Promise<void> {
  app.connectMicroservice<GrpcOptions>(modelServingGrpcOptions(options), {
    inheritAppConfig: false,
  });
  await app.startAllMicroservices();
}
