import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { configureModelServingApp } from 'nest-model-serving';
import { AppModule } from './app.module.js';

export type HttpPlatform = 'express' | 'fastify';

export interface CreateAppOptions {
  /** @defaultValue 'express' */
  platform?: HttpPlatform;
  logger?: LoggerService | LogLevel[] | false;
  /** Keys that may call every model; `false` serves without authentication. */
  apiKeys: readonly string[] | false;
  /** Where half_plus_two's prediction logs go. @defaultValue false (none) */
  predictionLogDir?: string | false;
}

/** Builds the sample application, for `main.ts` and the end-to-end tests alike. */
export async function createApp(options: CreateAppOptions): Promise<INestApplication> {
  const module = AppModule.forRoot({
    apiKeys: options.apiKeys,
    predictionLogDir: options.predictionLogDir ?? false,
  });
  const app =
    options.platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: options.logger })
      : await NestFactory.create(module, { logger: options.logger });
  configureModelServingApp(app);
  return app;
}
