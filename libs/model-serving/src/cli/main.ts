import 'reflect-metadata';
import { createRequire } from 'node:module';
import { type INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connectModelServingGrpc, modelServingGrpcOptions } from '../grpc/grpc-server.options.js';
import { configureModelServingApp } from '../module/configure-app.js';
import { ModelServingModule } from '../module/model-serving.module.js';
import { readBatchingParametersFile } from '../batching/batching-parameters.js';
import { readAuthConfigFile } from '../config/auth-config-file.js';
import { readMonitoringConfigFile } from '../metrics/monitoring-config.js';
import {
  FlagError,
  type FlagValues,
  parseFlags,
  planServer,
  type ServerPlan,
  unservedWarnings,
  usage,
} from './flags.js';

/** The package's version, from its package.json (two levels up from `src/cli` and `dist/cli`). */
function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

function readFlags(argv: readonly string[]): { flags: FlagValues; plan: ServerPlan } | undefined {
  try {
    const flags = parseFlags(argv);
    if (flags['help']) {
      process.stdout.write(`${usage()}\n`);
      return undefined;
    }
    if (flags['version']) {
      process.stdout.write(`model-server (nest-model-serving) ${packageVersion()}\n`);
      return undefined;
    }
    // LOG_LEVEL, as the sample app reads it, unless --log_level says otherwise.
    const logLevel = process.env['LOG_LEVEL'];
    const withEnv =
      logLevel && flags['log_level'] === undefined ? { ...flags, log_level: logLevel } : flags;
    return { flags, plan: planServer(withEnv) };
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.stderr.write(`model-server: ${error.message}\n\n${usage()}\n`);
    process.exitCode = 2;
    return undefined;
  }
}

/**
 * Closes the app on SIGTERM or SIGINT. (Nest's own shutdown hooks re-raise the signal once
 * closed, so the process would end by signal; the command rather exits 0 once every model is
 * unloaded.)
 */
function stopOnSignals(app: INestApplicationContext, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: finishing requests and unloading models`);
      app.close().then(
        () => logger.log('Stopped'),
        (error: unknown) => {
          logger.error(
            `Shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          process.exitCode = 1;
        },
      );
    });
  }
}

/** `model-server`: TF Serving's command line on the same module a Nest app imports. */
async function main(): Promise<void> {
  const read = readFlags(process.argv.slice(2));
  if (!read) return;
  const { flags, plan } = read;
  Logger.overrideLogger(plan.logLevels);
  const logger = new Logger('ModelServer');
  for (const warning of [...unservedWarnings(flags), ...plan.notes]) logger.warn(warning);
  const monitoring = plan.monitoringConfigFile
    ? await readMonitoringConfigFile(plan.monitoringConfigFile)
    : undefined;
  const metrics = monitoring
    ? { enabled: monitoring.prometheus.enabled, path: monitoring.prometheus.path }
    : { enabled: false };
  const batched = plan.batchingParametersFile
    ? { ...plan.options, batching: await readBatchingParametersFile(plan.batchingParametersFile) }
    : plan.options;
  const options = plan.authConfigFile
    ? { ...batched, auth: await readAuthConfigFile(plan.authConfigFile) }
    : batched;
  const grpc = { port: plan.grpcPort, host: plan.grpcHost };
  const rest = { enabled: plan.restPort > 0 };

  @Module({
    imports: [
      ModelServingModule.forRoot({
        ...options,
        rest,
        grpc: { enabled: grpc.port > 0 },
        metrics,
        health:
          plan.healthPort > 0
            ? { enabled: true, port: plan.healthPort, host: plan.restHost }
            : { enabled: true },
      }),
    ],
  })
  class ModelServerModule {}

  if (!rest.enabled) {
    const server = await NestFactory.createMicroservice(ModelServerModule, {
      ...modelServingGrpcOptions(grpc),
      abortOnError: false,
      logger: plan.logLevels,
    });
    stopOnSignals(server, logger);
    await server.listen();
    logger.log(`gRPC listening on ${grpc.host}:${grpc.port} (REST is off)`);
    return;
  }
  const app = await NestFactory.create(ModelServerModule, {
    abortOnError: false,
    logger: plan.logLevels,
  });
  configureModelServingApp(app, { enableShutdownHooks: false });
  stopOnSignals(app, logger);
  if (grpc.port > 0) {
    await connectModelServingGrpc(app, grpc);
    logger.log(`gRPC listening on ${grpc.host}:${grpc.port}`);
  }
  await app.listen(plan.restPort, plan.restHost);
  logger.log(`REST listening on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  new Logger('ModelServer').error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
