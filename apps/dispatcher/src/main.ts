import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  BusLink,
  loadConfig,
  logListening,
  SwitchyardRedisServer,
  type SwitchyardConfig,
} from '@switchyard/core';
import { Logger } from 'nestjs-pino';
import { SwitchyardDispatcherModule } from './dispatcher.module';
import { setupOpenApi } from './http/openapi';

function configOrExit(): SwitchyardConfig {
  try {
    return loadConfig(process.env);
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
  app.useBodyParser('json', { limit: config.maxBodyBytes });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
    }),
  );
  app.enableShutdownHooks();
  const bus = new SwitchyardRedisServer(config, config.prefix);
  app.get(BusLink).attach(bus);
  app.connectMicroservice({ strategy: bus });
  setupOpenApi(app);
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
