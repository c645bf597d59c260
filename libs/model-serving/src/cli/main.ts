#!/usr/bin/env node
import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureModelServingApp } from '../module/configure-app.js';
import { ModelServingModule } from '../module/model-serving.module.js';
import { FlagError, FLAGS, parseFlags, planServer, type ServerPlan, usage } from './flags.js';

function readPlan(argv: readonly string[]): ServerPlan | undefined {
  try {
    const flags = parseFlags(argv);
    if (flags['help']) {
      process.stdout.write(`${usage()}\n`);
      return undefined;
    }
    return planServer(flags);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.stderr.write(`model-server: ${error.message}\n\n${usage()}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

/** `model-server`: TF Serving's command line on the same module a Nest app imports. */
async function main(): Promise<void> {
  const plan = readPlan(process.argv.slice(2));
  if (!plan) return;
  const logger = new Logger('ModelServer');
  const later = Object.keys(FLAGS).filter((f) => FLAGS[f]!.later && process.argv.some((a) => a.replace(/^--?/, '').split('=')[0] === f));
  if (later.length) logger.warn(`Accepted but not served yet: ${later.map((f) => `--${f}`).join(', ')}`);

  @Module({ imports: [ModelServingModule.forRoot(plan.options)] })
  class ModelServerModule {}

  if (plan.restPort === 0) {
    const context = await NestFactory.createApplicationContext(ModelServerModule, { abortOnError: false });
    context.enableShutdownHooks();
    logger.log('REST is off (--rest_api_port=0)');
    return;
  }
  const app = await NestFactory.create(ModelServerModule, { abortOnError: false });
  configureModelServingApp(app);
  await app.listen(plan.restPort, plan.restHost);
  logger.log(`REST listening on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  new Logger('ModelServer').error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
