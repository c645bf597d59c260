import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { connectModelServingGrpc } from 'nest-model-serving';
import { createApp, type HttpPlatform } from './create-app.js';
import { demoApiKeys } from './demo-api-keys.js';
import { PREDICTION_LOG_DIR } from './models-dir.js';

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
 * `LOG_LEVEL` error | warn | log | debug | verbose (`log`); `API_KEYS` the comma-separated API
 * keys clients must send (one is made up and printed when unset).
 */
async function bootstrap(): Promise<void> {
  const port = Number(process.env['REST_API_PORT'] ?? 8501);
  const host = process.env['HOST'] ?? '0.0.0.0';
  const platform = (process.env['HTTP_PLATFORM'] ?? 'express') as HttpPlatform;
  const grpcPort = Number(process.env['GRPC_PORT'] ?? 8500);
  const logger = logLevels(process.env['LOG_LEVEL'] ?? 'log');
  // configureModelServingApp enables shutdown hooks: SIGTERM unloads every model cleanly.
  const { keys, generated } = demoApiKeys();
  const app = await createApp({
    platform,
    logger,
    apiKeys: keys,
    predictionLogDir: PREDICTION_LOG_DIR,
  });
  const log = new Logger('SampleApp');
  if (grpcPort > 0) {
    await connectModelServingGrpc(app, { port: grpcPort, host });
    log.log(`gRPC listening on ${host}:${grpcPort}`);
  }
  await app.listen(port, host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  log.log(`REST listening on ${url}`);
  log.log(`Prediction logs of half_plus_two (1 call in 10): ${PREDICTION_LOG_DIR}`);
  // A made-up key is printed so the demo can be tried; set API_KEYS to keep keys out of logs.
  const key = generated ? keys[0]! : '<one of API_KEYS>';
  if (generated) log.log(`Demo API key (set API_KEYS to choose your own): ${key}`);
  log.log(
    `Try: curl -H 'x-api-key: ${key}' -d '{"instances": [1.0, 2.0, 5.0]}' ${url}/v1/models/half_plus_two:predict`,
  );
}

bootstrap().catch((error: unknown) => {
  new Logger('SampleApp').error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
