import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { SHARED } from './paths.js';

/** TF Serving's and the Open Inference Protocol's reference protos, beside the project. */
export const REFERENCE_PROTOS = join(SHARED, 'protos-reference');

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

type ServiceClient = grpc.Client & Record<string, (...args: any[]) => grpc.ClientUnaryCall>;
type ServiceConstructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: object,
) => ServiceClient;

/** A client of `service` (a full name) built from proto `files` under `includeDir`. */
export function makeClient(
  includeDir: string,
  files: string[],
  service: string,
  address: string,
): ServiceClient {
  const definition = protoLoader.loadSync(
    files.map((f) => join(includeDir, f)),
    { ...LOADER_OPTIONS, includeDirs: [includeDir] },
  );
  const loaded = grpc.loadPackageDefinition(definition) as Record<string, any>;
  const Ctor = service.split('.').reduce((node: any, part) => node?.[part], loaded) as
    ServiceConstructor | undefined;
  if (!Ctor) throw new Error(`no service ${service} in ${files.join(', ')}`);
  const unlimited = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
  return new Ctor(address, grpc.credentials.createInsecure(), unlimited);
}

/** A `tensorflow.serving.PredictionService` client of `address`, from the reference protos. */
export function predictionClient(address: string): ServiceClient {
  return makeClient(
    REFERENCE_PROTOS,
    ['tensorflow_serving/apis/prediction_service.proto'],
    'tensorflow.serving.PredictionService',
    address,
  );
}

/**
 * One unary call as a promise; `deadlineMs` sets a deadline that far ahead; `metadata` is sent
 * as call metadata (credentials: `{ 'x-api-key': key }`).
 */
export function call<T = any>(
  client: ServiceClient,
  method: string,
  request: object,
  deadlineMs = 10_000,
  metadata: Record<string, string> = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + deadlineMs);
    const sent = new grpc.Metadata();
    for (const [key, value] of Object.entries(metadata)) sent.set(key, value);
    client[method]!(request, sent, { deadline }, (error: grpc.ServiceError | null, response: T) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** The status code and details a failed call ends with. */
export async function callError(
  client: ServiceClient,
  method: string,
  request: object,
  deadlineMs?: number,
  metadata?: Record<string, string>,
): Promise<{ code: number; details: string }> {
  try {
    await call(client, method, request, deadlineMs, metadata);
  } catch (error) {
    const e = error as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error(`${method} succeeded; an error was expected`);
}
