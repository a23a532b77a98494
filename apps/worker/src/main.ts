import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createAppLogger, loadConfig, SwitchyardRedisServer, type SwitchyardConfig } from '@switchyard/core';
import { ExampleHandlersModule } from './handlers/example-handlers.module';
import { WorkerModule } from './worker.module';

function configOrExit(): SwitchyardConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`switchyard worker: invalid configuration: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const logger = createAppLogger(`worker ${config.nodeId}`, config);
  const app = await NestFactory.create(WorkerModule.forRoot(config, { handlers: [ExampleHandlersModule] }), { logger });
  app.enableShutdownHooks();
  // subscribe first, then register (in listen → init): no assignment can precede our subscription
  app.connectMicroservice({ strategy: new SwitchyardRedisServer(config, config.prefix, config.nodeId) });
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address() as { port: number };
  logger.log(`listening on port ${address.port}`);
}

void bootstrap().catch((err: unknown) => {
  process.stderr.write(`switchyard worker failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
