import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import {
  assertAuthConfigured,
  connectSwitchyardBus,
  loadConfig,
  logListening,
  type SwitchyardConfig,
} from '@switchyard/core';
import { GracefulDrain, SwitchyardWorkerModule } from '@switchyard/worker';
import { Logger } from 'nestjs-pino';
import { ExampleHandlersModule } from './handlers/example-handlers.module';

/** Beyond the drain grace, closing may take this long before the process gives up (exit 1). */
const CLOSE_MARGIN_MS = 15_000;

function shutdownOnce(
  app: INestApplication,
  logger: LoggerService,
  drainGraceMs: number,
): (why: string) => void {
  let started = false;
  return (why) => {
    if (started) return;
    started = true;
    logger.log(`shutting down: ${why}`);
    setTimeout(() => {
      logger.error(
        `shutdown did not finish within DRAIN_GRACE_MS + ${CLOSE_MARGIN_MS} ms; exiting`,
      );
      process.exit(1);
    }, drainGraceMs + CLOSE_MARGIN_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).stack ?? String(err)}`);
        process.exit(1);
      },
    );
  };
}

function configOrExit(): SwitchyardConfig {
  try {
    const config = loadConfig(process.env);
    assertAuthConfigured(config);
    return config;
  } catch (err) {
    process.stderr.write(`switchyard worker: invalid configuration: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.create(
    SwitchyardWorkerModule.forRoot({ ...config, handlers: [ExampleHandlersModule] }),
    {
      bufferLogs: true,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  // the worker's HTTP port serves only health and metrics: helmet's strict defaults fit
  app.use(helmet());
  // SIGTERM/SIGINT and a remote drain take one path: drain (GracefulDrain), close, exit 0
  const exit = shutdownOnce(app, logger, config.drainGraceMs);
  process.once('SIGTERM', () => exit('SIGTERM'));
  process.once('SIGINT', () => exit('SIGINT'));
  app.get(GracefulDrain).onExitRequested(exit);
  // subscribe first, then register (in listen → init): no assignment can precede our subscription
  connectSwitchyardBus(app, config, config.nodeId);
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  logListening(logger, 'worker', config, address.port);
}

void bootstrap().catch((err: unknown) => {
  process.stderr.write(
    `switchyard worker failed to start: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(1);
});
