import { type INestApplication, type LoggerService } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  configureModelServingApp,
  connectModelServingGrpc,
  ModelServingModule,
  type ModelServingModuleExtras,
  type ModelServingModuleOptions,
} from 'nest-model-serving';

/** Module options plus the shape options (metrics, health) a test may set. */
export type ServingAppOptions = ModelServingModuleOptions &
  Partial<Omit<ModelServingModuleExtras, 'grpc' | 'isGlobal'>>;
import { freePort } from './free-port.js';

export interface ServingApp {
  app: INestApplication;
  url: string;
  /** `127.0.0.1:<port>` when gRPC was asked for. */
  grpcAddress?: string;
}

/** Connects gRPC on a port the OS just handed out; once more on EADDRINUSE (someone took it). */
async function connectGrpc(app: INestApplication): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      await connectModelServingGrpc(app, { port, host: '127.0.0.1' });
      return `127.0.0.1:${port}`;
    } catch (error) {
      if (attempt > 0 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

/** A bare app around `ModelServingModule.forRoot(options)` on ephemeral loopback ports. */
export async function startServingApp(
  options: ServingAppOptions,
  platform: 'express' | 'fastify' = 'express',
  { grpc = false, logger }: { grpc?: boolean; logger?: LoggerService } = {},
): Promise<ServingApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [ModelServingModule.forRoot({ ...options, grpc: { enabled: grpc } })],
  }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter())
      : moduleRef.createNestApplication();
  app.useLogger(logger ?? false);
  configureModelServingApp(app, { enableShutdownHooks: false });
  const grpcAddress = grpc ? await connectGrpc(app) : undefined;
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), grpcAddress };
}
