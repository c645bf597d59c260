// `npm run bench`: side-by-side throughput on loopback, bounded in time, on the machine it runs
// on. Compares the raw engine, a hand-written HTTP handler around it, this server's REST API
// and its gRPC API, for the same model and the same request.
import { createServer, type Server } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { NestFactory } from '@nestjs/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import {
  configureModelServingApp,
  connectModelServingGrpc,
  ModelServingModule,
} from 'nest-model-serving';
import { fileLoadHandler } from '../scripts/sample-models/model-io.js';
import { benchEngines } from './engines.js';
import { CONCURRENCY, freePort, measure, SECONDS } from './measure.js';

const ROOT = join(import.meta.dirname, '..');
const MODELS = join(ROOT, 'sample-app', 'models');
const PROTOS = join(ROOT, 'libs', 'model-serving', 'src', 'grpc', 'protos');
const XS = [1, 2, 5];
const BODY = JSON.stringify({ instances: XS });

type PredictClient = grpc.Client & {
  Predict(
    request: object,
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

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const model = await loadGraphModel(fileLoadHandler(join(MODELS, 'half_plus_two', '1')));
  const rawPredict = async (xs: number[]) => {
    const x = tf.tensor1d(xs);
    const y = model.execute({ x }, 'y') as tf.Tensor;
    const values = await y.data();
    tf.dispose([x, y]);
    return Array.from(values);
  };

  // A hand-written handler: what someone would write without the library.
  const plain: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      void rawPredict((JSON.parse(body) as { instances: number[] }).instances).then((p) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ predictions: p }));
      });
    });
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const plainPort = (plain.address() as { port: number }).port;

  const app = await NestFactory.create(
    ModelServingModule.forRoot({
      models: [{ name: 'half_plus_two', basePath: join(MODELS, 'half_plus_two') }],
      pollIntervalMs: 0,
      backend: 'wasm',
      grpc: { enabled: true },
    }),
    { logger: false, abortOnError: false },
  );
  configureModelServingApp(app, { enableShutdownHooks: false });
  const grpcPort = await freePort();
  await connectModelServingGrpc(app, { host: '127.0.0.1', port: grpcPort });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const definition = protoLoader.loadSync(
    join(PROTOS, 'tensorflow_serving/apis/prediction_service.proto'),
    {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      includeDirs: [PROTOS],
    },
  );
  const pkg = grpc.loadPackageDefinition(definition) as unknown as PredictionPackage;
  const client = new pkg.tensorflow.serving.PredictionService(
    `127.0.0.1:${grpcPort}`,
    grpc.credentials.createInsecure(),
  );
  const grpcRequest = {
    model_spec: { name: 'half_plus_two' },
    inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 3 }] }, float_val: XS } },
  };
  const post = (target: string) => () =>
    fetch(target, {
      method: 'POST',
      body: BODY,
      headers: { 'content-type': 'application/json' },
    }).then((r) => r.text());

  const results = {
    rawEngine: await measure(() => rawPredict(XS), 1),
    handWrittenHttp: await measure(post(`http://127.0.0.1:${plainPort}/`)),
    servedRest: await measure(post(`${url}/v1/models/half_plus_two:predict`)),
    servedGrpc: await measure(
      () =>
        new Promise((resolve, reject) =>
          client.Predict(grpcRequest, (e: Error | null, r: unknown) =>
            e ? reject(e) : resolve(r),
          ),
        ),
    ),
  };
  client.close();
  await app.close();
  plain.close();
  model.dispose();

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}; ${SECONDS} s per row, ${CONCURRENCY} concurrent clients`,
  );
  console.log('half_plus_two, 3 values per request, WASM backend');
  for (const [name, rps] of Object.entries(results))
    console.log(`  ${name.padEnd(16)} ${rps.toFixed(0).padStart(8)} req/s`);
  console.log(
    `  REST / hand-written handler: ${(results.servedRest / results.handWrittenHttp).toFixed(2)}`,
  );
  console.log(
    `  gRPC / REST:                 ${(results.servedGrpc / results.servedRest).toFixed(2)}`,
  );
  await benchEngines();
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
