import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  ConfigError,
  IllegalTransitionError,
  InvalidInputError,
  LimitExceededError,
  NodeNotFoundError,
  NodeStateError,
  NotLeaderError,
  StaleLeaseError,
  StoreUnavailableError,
  SwitchyardError,
  TaskNotFoundError,
} from '@switchyard/core';

/** Limits whose breach is "too much at once" (429) rather than "too large" (413). */
const RATE_LIMITS = new Set(['MAX_QUEUED_PER_TYPE']);

function statusOf(err: SwitchyardError): number {
  if (err instanceof TaskNotFoundError || err instanceof NodeNotFoundError)
    return HttpStatus.NOT_FOUND;
  if (err instanceof IllegalTransitionError || err instanceof StaleLeaseError)
    return HttpStatus.CONFLICT;
  if (err instanceof NodeStateError) return HttpStatus.CONFLICT;
  if (err instanceof LimitExceededError) {
    return RATE_LIMITS.has(err.limit) ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.PAYLOAD_TOO_LARGE;
  }
  if (err instanceof InvalidInputError) return HttpStatus.BAD_REQUEST;
  if (err instanceof StoreUnavailableError || err instanceof NotLeaderError)
    return HttpStatus.SERVICE_UNAVAILABLE;
  if (err instanceof ConfigError) return HttpStatus.INTERNAL_SERVER_ERROR;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/** What body-parser throws (http-errors): 413 over MAX_BODY_BYTES, 400 malformed JSON, ... */
interface BodyParserError {
  status?: unknown;
  expose?: unknown;
  message?: unknown;
  type?: unknown;
  limit?: unknown;
}

function bodyErrorMessage(err: BodyParserError): string {
  if (err.status === HttpStatus.PAYLOAD_TOO_LARGE) {
    const limit = typeof err.limit === 'number' ? ` (${err.limit} bytes)` : '';
    return `request body is larger than MAX_BODY_BYTES${limit}`;
  }
  // the JSON depth check (MAX_JSON_DEPTH) writes its own message
  if (err.type === 'json.too.deep') return String(err.message);
  if (err.type === 'entity.parse.failed') return `malformed JSON body: ${String(err.message)}`;
  return `bad request body: ${String(err.message)}`;
}

/** The one place domain errors become HTTP answers: `{ statusCode, error, message }`. */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof SwitchyardError) {
      const status = statusOf(exception);
      if (status === HttpStatus.SERVICE_UNAVAILABLE) res.setHeader('Retry-After', '1');
      res
        .status(status)
        .json({ statusCode: status, error: exception.code, message: exception.message });
      return;
    }
    const parserError = exception as BodyParserError;
    if (
      typeof parserError?.status === 'number' &&
      parserError.status >= 400 &&
      parserError.status < 500 &&
      parserError.expose === true
    ) {
      const status = parserError.status;
      res.status(status).json({
        statusCode: status,
        error: String(parserError.type ?? 'bad_request'),
        message: bodyErrorMessage(parserError),
      });
      return;
    }
    this.logger.error(`unexpected error: ${(exception as Error)?.stack ?? String(exception)}`);
    res
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ statusCode: 500, error: 'internal_error', message: 'internal error' });
  }
}
