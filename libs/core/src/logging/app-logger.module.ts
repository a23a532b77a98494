import type { DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '../config/switchyard-config';

const TASK_PATH = /^\/tasks\/([0-9A-HJKMNP-TV-Z]{26})(?:\/|$|\?)/;
const NODE_PATH = /^\/nodes\/([A-Za-z0-9._-]{1,64})(?:\/|$|\?)/;

/** Task and node ids in a request's URL, as log fields (so logs join with task and node views). */
export function idsOfRequest(url: string | undefined): { taskId?: string; nodeId?: string } {
  const path = url ?? '';
  const task = TASK_PATH.exec(path);
  if (task) return { taskId: task[1] };
  const node = NODE_PATH.exec(path);
  return node ? { nodeId: node[1] } : {};
}

/** Query parameters that look like credentials: no route takes one, but a client may still send it. */
const CREDENTIAL_QUERY = /([?&](?:access_token|api_key|apikey|token)=)[^&#]*/gi;

/** A request URL as logged: a credential-like query value is replaced, whatever the route. */
export function loggedUrl(url: string | undefined): string | undefined {
  return url?.replace(CREDENTIAL_QUERY, '$1[redacted]');
}

/** pino-pretty is a development dependency: readable logs only where it is installed. */
function prettyTransport(): Options['transport'] | undefined {
  try {
    require.resolve('pino-pretty');
  } catch {
    process.stderr.write('LOG_PRETTY is set but pino-pretty is not installed; logging JSON\n');
    return undefined;
  }
  return {
    target: 'pino-pretty',
    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  };
}

/**
 * Structured logs for both apps: one JSON object per line with `app` (and `node` on a
 * worker), request logs carrying `taskId`/`nodeId` taken from the URL, level from LOG_LEVEL,
 * readable lines with LOG_PRETTY. Credentials in headers, and credential-like query values,
 * never reach a log line.
 */
export function appLoggerModule(
  app: 'dispatcher' | 'worker',
  config: Pick<SwitchyardConfig, 'logLevel' | 'logPretty' | 'nodeId'>,
): DynamicModule {
  return LoggerModule.forRoot(appLoggerParams(app, config));
}

/** The same logger, configured from the SWITCHYARD_CONFIG provider (for modules built async). */
export function appLoggerModuleFromConfig(app: 'dispatcher' | 'worker'): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [SWITCHYARD_CONFIG],
    useFactory: (config: SwitchyardConfig) => appLoggerParams(app, config),
  });
}

/**
 * customProps: the ids of a request's URL, or nothing when it has none, so pino-http makes no
 * child logger for empty bindings (it skips a falsy result; its typings do not say so).
 */
const idBindingsOfRequest = ((req: IncomingMessage) => {
  const ids = idsOfRequest(req.url);
  return ids.taskId !== undefined || ids.nodeId !== undefined ? ids : undefined;
}) as (req: IncomingMessage) => object;

/** A request as pino-http hands it to the req serializer (Express sets originalUrl). */
interface RawRequest {
  id?: unknown;
  method?: string;
  url?: string;
  originalUrl?: string;
}

/** The nestjs-pino parameters of both apps (appLoggerModule); exported for its spec. */
export function appLoggerParams(
  app: 'dispatcher' | 'worker',
  config: Pick<SwitchyardConfig, 'logLevel' | 'logPretty' | 'nodeId'>,
): Params {
  const transport = config.logPretty ? prettyTransport() : undefined;
  const successLevel =
    LEVELS.indexOf(config.logLevel) <= LEVELS.indexOf('debug') ? 'debug' : 'silent';
  return {
    pinoHttp: {
      level: config.logLevel,
      base: app === 'worker' ? { app, node: config.nodeId } : { app },
      ...(transport !== undefined && { transport }),
      // The req serializer below logs no header, so these paths match nothing today: they
      // stay as a second guard for a line that one day logs a request some other way (about
      // 1 µs per request, measured; a leaked key costs far more)
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          // ioredis puts a failed command's arguments on its errors: for AUTH, the password
          'err.command.args',
        ],
        censor: '[redacted]',
      },
      // the serializers get the raw request and response and pick the fields logged, the same
      // values pino's standard serializers would hand them (those copy headers, parse the query
      // and the redaction then walks them, on every request, for fields no line carries)
      wrapSerializers: false,
      serializers: {
        req: (req: RawRequest) => ({
          id: req.id || undefined,
          method: req.method,
          url: loggedUrl(req.originalUrl || req.url),
        }),
        res: (res: ServerResponse) => ({ statusCode: res.headersSent ? res.statusCode : null }),
      },
      customProps: idBindingsOfRequest,
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => {
        if (err !== undefined || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        // successful requests at debug: one line per request would cost the hot submit path;
        // below LOG_LEVEL, silent, so pino-http does not build the line only to drop it
        return successLevel;
      },
    },
    renameContext: 'context',
  };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * The "listening on port N" line, printed whatever LOG_LEVEL is: supervisors and the test
 * harness learn the port from it (PORT=0 picks a free one). Through the logger when info is
 * enabled, else as a JSON line of the same shape.
 */
export function logListening(
  logger: { log(message: string): void },
  app: 'dispatcher' | 'worker',
  config: Pick<SwitchyardConfig, 'logLevel' | 'nodeId'>,
  port: number,
): void {
  const message = `listening on port ${port}`;
  if (LEVELS.indexOf(config.logLevel) <= LEVELS.indexOf('info')) {
    logger.log(message);
    return;
  }
  const base = app === 'worker' ? { app, node: config.nodeId } : { app };
  process.stdout.write(
    `${JSON.stringify({ level: 30, time: Date.now(), ...base, msg: message })}\n`,
  );
}
