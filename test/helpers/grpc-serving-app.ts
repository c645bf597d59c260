import { type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  configureModelServingApp,
  connectModelServingGrpc,
  ModelServingModule,
  type ModelServingModuleOptions,
} from 'nest-model-serving';
import { freePort } from './free-port.js';

export interface BootingGrpcApp {
  app: INestApplication;
  /** `127.0.0.1:<port>`, answering as soon as this returns (before the initial loads end). */
  grpcAddress: string;
  /** Settles when the app has bootstrapped (initial loads done) and HTTP listens. */
  listening: Promise<string>;
}

/**
 * An app with gRPC on, whose gRPC server is started before the app bootstraps, as
 * `connectModelServingGrpc` before `listen` does in `main.ts`: gRPC answers while the initial
 * loads still run. The port is taken from the OS just before binding, once more on EADDRINUSE.
 */
export async function bootGrpcServingApp(
  options: ModelServingModuleOptions,
  { maxMessageBytes, logger }: { maxMessageBytes?: number; logger?: LoggerService } = {},
): Promise<BootingGrpcApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [ModelServingModule.forRoot({ ...options, grpc: { enabled: true } })],
  }).compile();
  const app = moduleRef.createNestApplication();
  app.useLogger(logger ?? false);
  configureModelServingApp(app, { enableShutdownHooks: false });
  let grpcAddress: string | undefined;
  for (let attempt = 0; !grpcAddress; attempt++) {
    const port = await freePort();
    try {
      await connectModelServingGrpc(app, { port, host: '127.0.0.1', maxMessageBytes });
      grpcAddress = `127.0.0.1:${port}`;
    } catch (error) {
      if (attempt > 0 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
  const listening = app
    .listen(0, '127.0.0.1')
    .then(async () => (await app.getUrl()).replace('[::1]', '127.0.0.1'));
  // Callers await it; this only keeps an early failure from being reported as unhandled.
  listening.catch(() => undefined);
  return { app, grpcAddress, listening };
}
