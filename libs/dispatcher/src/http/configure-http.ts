import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { docsGate, type SwitchyardConfig } from '@switchyard/core';
import { bodyParseErrors } from './body-parse-errors';
import { corsOptions } from './cors-options';
import { checkJsonDepth } from './json-depth';
import { setupOpenApi } from './openapi';
import { securityHeaders } from './security-headers';

/**
 * The HTTP surface of a dispatcher app: security headers (helmet), CORS only for CORS_ORIGINS,
 * a bounded JSON body parser (MAX_BODY_BYTES, MAX_JSON_DEPTH; the app must be created with
 * `bodyParser: false`), strict DTO validation, and the OpenAPI document and UI at /docs
 * (behind an API key unless AUTH_PUBLIC_DOCS).
 */
export function configureDispatcherHttp(
  app: NestExpressApplication,
  config: SwitchyardConfig,
): void {
  app.use(securityHeaders());
  const cors = corsOptions(config.corsOrigins);
  if (cors !== null) app.enableCors(cors);
  app.useBodyParser('json', {
    limit: config.maxBodyBytes,
    verify: checkJsonDepth(config.maxJsonDepth),
  });
  app.use(bodyParseErrors());
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
