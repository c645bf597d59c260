// A TF Serving PredictionService client for `npm run bench`, sending the batch as raw
// little-endian float bytes in `tensor_content` (what production gRPC clients send).
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTOS = join(import.meta.dirname, '..', 'libs', 'model-serving', 'src', 'protos');

type PredictClient = grpc.Client & {
  Predict(
    request: object,
    options: grpc.CallOptions,
    done: (error: grpc.ServiceError | null, response: unknown) => void,
  ): unknown;
};
interface PredictionPackage {
  tensorflow: {
    serving: {
      PredictionService: new (
        address: string,
        credentials: grpc.ChannelCredentials,
      ) => PredictClient;
    };
  };
}

export interface GrpcPredictor {
  readonly predict: () => Promise<unknown>;
  readonly close: () => void;
}

/** A client of `127.0.0.1:port` predicting `model` on `rows` examples of `shape`. */
export function grpcPredictor(
  port: number,
  model: string,
  input: string,
  data: Float32Array,
  rows: number,
  shape: readonly number[],
): GrpcPredictor {
  const definition = protoLoader.loadSync(
    join(PROTOS, 'tensorflow_serving/apis/prediction_service.proto'),
    { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTOS] },
  );
  const pkg = grpc.loadPackageDefinition(definition) as unknown as PredictionPackage;
  const client = new pkg.tensorflow.serving.PredictionService(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  const request = {
    model_spec: { name: model },
    inputs: {
      [input]: {
        dtype: 'DT_FLOAT',
        tensor_shape: { dim: [rows, ...shape].map((size) => ({ size })) },
        tensor_content: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      },
    },
  };
  return {
    predict: () =>
      new Promise((resolve, reject) =>
        client.Predict(request, { deadline: Date.now() + 30_000 }, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      ),
    close: () => client.close(),
  };
}
