import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { docsGate, type SwitchyardConfig } from '@switchyard/core';
import { setupOpenApi } from './openapi';

/**
 * The HTTP surface of a dispatcher app: a bounded JSON body parser (the app must be created
 * with `bodyParser: false`), strict DTO validation, and the OpenAPI document and UI at /docs
 * (behind an API key unless AUTH_PUBLIC_DOCS).
 */
export function configureDispatcherHttp(
  app: NestExpressApplication,
  config: SwitchyardConfig,
): void {
  app.useBodyParser('json', { limit: config.maxBodyBytes });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
    }),
  );
  // the docs are served outside Nest's router, where the guard does not reach
  app.use('/docs', docsGate(config));
  setupOpenApi(app);
}
