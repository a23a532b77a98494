import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
// nestjs-pino's PinoLogger (and so every Nest Logger call) writes through the logger of the
// request in this storage; it is not on the package's index
import { storage } from 'nestjs-pino/storage';

/** What the access log needs to know beyond the root logger. */
export interface AccessLogOptions {
  /** A successful request's level: 'debug' when LOG_LEVEL shows it, else 'silent' (no line). */
  successLevel: 'debug' | 'silent';
  /** Bindings a request's lines carry besides `req` (the ids in its URL), or undefined. */
  bindingsOf(req: IncomingMessage): object | undefined;
}

export type AccessLogMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void;

type Level = 'error' | 'warn' | 'debug' | 'silent';

/** pino-http's reading of a failed request: a listener's error, or one set on the response. */
interface ErroredResponse extends ServerResponse {
  err?: Error;
}

/** pino-http's request ids: 1, 2, 3, ... wrapping at 2^31 - 1. */
const MAX_REQUEST_ID = 2147483647;

/**
 * The request's own logger for lines written while it is handled (the exception filter's
 * "unexpected error", the rate limit's Redis warning), so they carry its `req` and ids. Built on
 * the first such line: most requests write none, and a pino child costs a serialization.
 * It stands in for nestjs-pino's Store, whose `logger` its PinoLogger reads.
 */
class RequestLogContext {
  private child: Logger | undefined;
  readonly responseLogger = undefined;

  constructor(
    private readonly root: Logger,
    private readonly req: IncomingMessage,
    private readonly options: AccessLogOptions,
  ) {}

  get logger(): Logger {
    this.child ??= this.root.child({ req: this.req, ...this.options.bindingsOf(this.req) });
    return this.child;
  }

  /** PinoLogger.assign replaces it with a child carrying more fields. */
  set logger(logger: Logger) {
    this.child = logger;
  }
}

function levelOf(res: ServerResponse, err: Error | undefined, options: AccessLogOptions): Level {
  if (err !== undefined || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return options.successLevel;
}

/**
 * One access line per request, the line pino-http wrote with the apps' settings (same fields,
 * messages, levels and request ids), and the request's logger in nestjs-pino's request context.
 * Leaner than pino-http + nestjs-pino's binding middleware, which built two child loggers and
 * kept two logger arrays per request, and three response listeners, even when the line was
 * silent: here nothing is built for a request that writes no line.
 */
export function accessLog(root: Logger, options: AccessLogOptions): AccessLogMiddleware {
  let lastId = 0;
  return function accessLogMiddleware(req, res, next) {
    // pino-http's request id, kept on the request as it did (its typings declare req.id)
    req.id ||= lastId = (lastId + 1) & MAX_REQUEST_ID;
    const started = Date.now();
    // 'close' follows 'finish' and an aborted request alike; 'error' as pino-http listened for
    // it (a response's error event with no listener would end the process)
    const done = (err?: Error): void => {
      res.removeListener('close', done);
      res.removeListener('error', done);
      writeAccessLine(root, options, req, res, started, err);
    };
    res.on('close', done);
    res.on('error', done);
    storage.run(new RequestLogContext(root, req, options), next);
  };
}

function writeAccessLine(
  root: Logger,
  options: AccessLogOptions,
  req: IncomingMessage,
  res: ErroredResponse,
  started: number,
  err: Error | undefined,
): void {
  // an error set on the response counts as one passed to the listener (as in pino-http)
  const failure = err ?? res.err;
  const level = levelOf(res, failure, options);
  if (level === 'silent') return;
  const responseTime = Date.now() - started;
  // serialized by the root's req/res serializers and redacted like any line
  const line = { req, ...options.bindingsOf(req), res };
  if (failure !== undefined || res.statusCode >= 500) {
    const error = failure ?? new Error(`failed with status code ${res.statusCode}`);
    root[level]({ ...line, err: error, responseTime }, 'request errored');
    return;
  }
  const completed = !req.readableAborted && res.writableEnded;
  root[level]({ ...line, responseTime }, completed ? 'request completed' : 'request aborted');
}
