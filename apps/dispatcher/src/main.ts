import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  assertAuthConfigured,
  connectSwitchyardBus,
  loadConfig,
  logListening,
  type SwitchyardConfig,
} from '@switchyard/core';
import { configureDispatcherHttp, SwitchyardDispatcherModule } from '@switchyard/dispatcher';
import { Logger } from 'nestjs-pino';

function configOrExit(): SwitchyardConfig {
  try {
    const config = loadConfig(process.env);
    assertAuthConfigured(config);
    return config;
  } catch (err) {
    process.stderr.write(
      `switchyard dispatcher: invalid configuration: ${(err as Error).message}\n`,
    );
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.create<NestExpressApplication>(
    SwitchyardDispatcherModule.forRoot(config),
    {
      bodyParser: false,
      bufferLogs: true,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  configureDispatcherHttp(app, config);
  app.enableShutdownHooks();
  connectSwitchyardBus(app, config);
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  logListening(logger, 'dispatcher', config, address.port);
}

void bootstrap().catch((err: unknown) => {
  process.stderr.write(
    `switchyard dispatcher failed to start: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(1);
});
