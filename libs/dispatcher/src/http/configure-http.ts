import type { Type, ValidationPipeOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { docsGate, type SwitchyardConfig } from '@switchyard/core';
import { bodyParseErrors } from './body-parse-errors';
import { corsOptions } from './cors-options';
import { SubmitBatchDto, SubmitTaskDto } from '../tasks/dto/submit-task.dto';
import { precheckSubmitBatch, precheckSubmitTask } from '../tasks/dto/submit-task.precheck';
import { checkJsonDepth } from './json-depth';
import { setupOpenApi } from './openapi';
import { PrecheckedValidationPipe, type BodyPrecheck } from './prechecked-validation.pipe';
import { securityHeaders } from './security-headers';

/** What every route's input goes through (the precheck spec holds its shortcut to these). */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
};

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
  // Express would set X-Powered-By on every response and helmet remove it again: never set
  app.disable('x-powered-by');
  app.use(securityHeaders());
  const cors = corsOptions(config.corsOrigins);
  if (cors !== null) app.enableCors(cors);
  app.useBodyParser('json', {
    limit: config.maxBodyBytes,
    verify: checkJsonDepth(config.maxJsonDepth),
  });
  app.use(bodyParseErrors());
  app.useGlobalPipes(
    new PrecheckedValidationPipe(
      VALIDATION_OPTIONS,
      // the submission routes: most of their HTTP cost was validating valid bodies
      new Map<Type, BodyPrecheck>([
        [SubmitTaskDto, precheckSubmitTask],
        [SubmitBatchDto, precheckSubmitBatch],
      ]),
    ),
  );
  // the docs are served outside Nest's router, where the guard does not reach
  app.use('/docs', docsGate(config));
  setupOpenApi(app);
}
