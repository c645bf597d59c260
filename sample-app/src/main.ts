import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { connectModelServingGrpc } from 'nest-model-serving';
import { createApp, type HttpPlatform } from './create-app.js';

/** `LOG_LEVEL`'s values, quietest first; each turns on itself and the ones before it. */
const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

function logLevels(value: string): LogLevel[] {
  const level = LOG_LEVELS.indexOf(value as (typeof LOG_LEVELS)[number]);
  if (level < 0) throw new Error(`LOG_LEVEL takes ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return ['fatal', ...LOG_LEVELS.slice(0, level + 1)];
}

/**
 * `npm start`: REST on `REST_API_PORT` (8501) and TF Serving's gRPC on `GRPC_PORT` (8500, `0`
 * turns it off), both at `HOST` (`0.0.0.0`); `HTTP_PLATFORM` `express` or `fastify`;
 * `LOG_LEVEL` error | warn | log | debug | verbose (`log`).
 */
async function bootstrap(): Promise<void> {
  const port = Number(process.env['REST_API_PORT'] ?? 8501);
  const host = process.env['HOST'] ?? '0.0.0.0';
  const platform = (process.env['HTTP_PLATFORM'] ?? 'express') as HttpPlatform;
  const grpcPort = Number(process.env['GRPC_PORT'] ?? 8500);
  const logger = logLevels(process.env['LOG_LEVEL'] ?? 'log');
  // configureModelServingApp enables shutdown hooks: SIGTERM unloads every model cleanly.
  const app = await createApp({ platform, logger });
  const log = new Logger('SampleApp');
  if (grpcPort > 0) {
    await connectModelServingGrpc(app, { port: grpcPort, host });
    log.log(`gRPC listening on ${host}:${grpcPort}`);
  }
  await app.listen(port, host);
  log.log(`REST listening on ${await app.getUrl()}`);
}

bootstrap().catch((error: unknown) => {
  new Logger('SampleApp').error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
