import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createAppLogger, loadConfig, SwitchyardRedisServer, type SwitchyardConfig } from '@switchyard/core';
import { DispatcherModule } from './dispatcher.module';

function configOrExit(): SwitchyardConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`switchyard dispatcher: invalid configuration: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const logger = createAppLogger('dispatcher', config);
  const app = await NestFactory.create<NestExpressApplication>(DispatcherModule.forRoot(config), {
    bodyParser: false,
    logger,
  });
  app.useBodyParser('json', { limit: config.maxBodyBytes });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true }),
  );
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: new SwitchyardRedisServer(config, config.prefix) });
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  logger.log(`listening on port ${address.port}`);
}

void bootstrap().catch((err: unknown) => {
  process.stderr.write(`switchyard dispatcher failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
