import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { connectModelServingGrpc } from 'nest-model-serving';
import { createApp, type HttpPlatform } from './create-app.js';

async function bootstrap(): Promise<void> {
  const port = Number(process.env['REST_API_PORT'] ?? 8501);
  const host = process.env['HOST'] ?? '0.0.0.0';
  const platform = (process.env['HTTP_PLATFORM'] ?? 'express') as HttpPlatform;
  // configureModelServingApp enables shutdown hooks: SIGTERM unloads every model cleanly.
  const grpcPort = Number(process.env['GRPC_PORT'] ?? 8500);
  const app = await createApp({ platform });
  const logger = new Logger('SampleApp');
  await connectModelServingGrpc(app, { port: grpcPort, host });
  logger.log(`gRPC listening on ${host}:${grpcPort}`);
  await app.listen(port, host);
  logger.log(`REST listening on ${await app.getUrl()}`);
}

void bootstrap();
