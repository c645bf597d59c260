// The floor under every gRPC row of `npm run bench`: a hand-written grpc-js server whose
// `PredictionService/Predict` does only what any server must (decode the `PredictRequest`, copy
// `tensor_content` into an aligned Float32Array, encode a `PredictResponse` of 10 floats per
// example) and runs no model. What it reaches under the same h2load load is the most any server
// in Node gets from gRPC on this machine, and its CPU per call is the transport's share.
// `GET /v1/models/<name>` answers AVAILABLE for the bench's readiness wait, `GET /calls` the
// number of calls answered (as model-server's request_count, so CPU per call is comparable).
// Usage: node --import tsx bench/grpc-ceiling.ts --port=N --rest_port=N --model_name=NAME
import { createServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { predictionProtos } from './h2load.js';

function flag(name: string): string {
  const prefix = `--${name}=`;
  const value = process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  if (!value) throw new Error(`grpc-ceiling: --${name} is required`);
  return value;
}

const OUTPUTS = 10;
const root = predictionProtos();
const Request = root.lookupType('tensorflow.serving.PredictRequest');
const Response = root.lookupType('tensorflow.serving.PredictResponse');
const identity = (b: Buffer) => b;
let calls = 0;

interface DecodedRequest {
  model_spec?: { name?: string };
  inputs?: Record<
    string,
    { tensor_shape?: { dim?: { size?: number }[] }; tensor_content?: Uint8Array }
  >;
}

function predict(bytes: Buffer): Buffer {
  const request = Request.decode(bytes) as unknown as DecodedRequest;
  const [tensor] = Object.values(request.inputs ?? {});
  const raw = tensor?.tensor_content ?? new Uint8Array();
  const values = new Float32Array(raw.byteLength / 4);
  new Uint8Array(values.buffer).set(raw);
  const rows = Number(tensor?.tensor_shape?.dim?.[0]?.size ?? 1);
  const out = new Float32Array(rows * OUTPUTS).fill(values[0] ?? 0);
  const response = Response.fromObject({
    model_spec: { name: request.model_spec?.name ?? '', version: { value: 1 } },
    outputs: {
      y: {
        dtype: 1,
        tensor_shape: { dim: [{ size: rows }, { size: OUTPUTS }] },
        tensor_content: Buffer.from(out.buffer),
      },
    },
  });
  return Buffer.from(Response.encode(response).finish());
}

const server = new grpc.Server();
server.addService(
  {
    Predict: {
      path: '/tensorflow.serving.PredictionService/Predict',
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  {
    Predict: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      calls++;
      done(null, predict(call.request));
    },
  },
);
const name = flag('model_name');
server.bindAsync(`127.0.0.1:${flag('port')}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
  createServer((req, res) => {
    if (req.url === '/calls') res.writeHead(200).end(String(calls));
    else if (req.url === `/v1/models/${name}`) res.writeHead(200).end('AVAILABLE');
    else res.writeHead(404).end();
  }).listen(Number(flag('rest_port')), '127.0.0.1');
});
