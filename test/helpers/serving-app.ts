import { type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  configureModelServingApp,
  ModelServingModule,
  type ModelServingModuleOptions,
} from 'nest-model-serving';

export interface ServingApp {
  app: INestApplication;
  url: string;
}

/** A bare app around `ModelServingModule.forRoot(options)` on an ephemeral loopback port. */
export async function startServingApp(
  options: ModelServingModuleOptions,
  platform: 'express' | 'fastify' = 'express',
): Promise<ServingApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [ModelServingModule.forRoot(options)],
  }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter())
      : moduleRef.createNestApplication();
  app.useLogger(false);
  configureModelServingApp(app, { enableShutdownHooks: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
