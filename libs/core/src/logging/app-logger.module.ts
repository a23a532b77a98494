import {
  Global,
  Inject,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, PARAMS_PROVIDER_TOKEN, PinoLogger, type Params } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger as PinoRoot, type LoggerOptions } from 'pino';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '../config/switchyard-config';
import { accessLog, type AccessLogMiddleware } from './access-log';

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
function prettyTransport(): LoggerOptions['transport'] | undefined {
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

/** The root logger and the access log middleware of an app, built once from its config. */
interface AppLogging {
  root: PinoRoot;
  access: AccessLogMiddleware;
}

const APP_LOGGING = Symbol('APP_LOGGING');

/** The app's root logger (logger options below) and its access log on top of it. */
export function appLogging(
  app: 'dispatcher' | 'worker',
  config: Pick<SwitchyardConfig, 'logLevel' | 'logPretty' | 'nodeId'>,
  destination?: DestinationStream,
): AppLogging {
  const options = appLoggerOptions(app, config);
  const root = destination === undefined ? pino(options) : pino(options, destination);
  const successLevel =
    LEVELS.indexOf(config.logLevel) <= LEVELS.indexOf('debug') ? 'debug' : 'silent';
  return { root, access: accessLog(root, { successLevel, bindingsOf: idBindingsOfRequest }) };
}

/**
 * nestjs-pino's Logger and PinoLogger (what `app.useLogger` and `new Logger()` write through)
 * on the app's root logger, and the access log for every route. nestjs-pino's own LoggerModule
 * would put pino-http and its request binding in front of every route instead (see accessLog).
 */
@Global()
@Module({})
export class AppLoggerModule implements NestModule {
  constructor(@Inject(APP_LOGGING) private readonly logging: AppLogging) {}

  configure(consumer: MiddlewareConsumer): void {
    // every route, as nestjs-pino applied pino-http
    consumer.apply(this.logging.access).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}

function loggerModule(logging: Provider): DynamicModule {
  const params: Provider = {
    provide: PARAMS_PROVIDER_TOKEN,
    inject: [APP_LOGGING],
    // PinoLogger writes outside requests through the passed logger, inside through the
    // request's (accessLog); `context` is the field of a Nest logger's context name
    useFactory: (logging: AppLogging): Params => ({
      pinoHttp: { logger: logging.root } as unknown as Params['pinoHttp'],
      renameContext: 'context',
    }),
  };
  return {
    module: AppLoggerModule,
    providers: [logging, params, Logger, PinoLogger],
    exports: [Logger, PinoLogger, params],
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
  return loggerModule({ provide: APP_LOGGING, useValue: appLogging(app, config) });
}

/** The same logger, configured from the SWITCHYARD_CONFIG provider (for modules built async). */
export function appLoggerModuleFromConfig(app: 'dispatcher' | 'worker'): DynamicModule {
  return loggerModule({
    provide: APP_LOGGING,
    inject: [SWITCHYARD_CONFIG],
    useFactory: (config: SwitchyardConfig) => appLogging(app, config),
  });
}

/**
 * The ids of a request's URL, or nothing when it has none, so a line of a request without
 * ids gets no empty fields.
 */
function idBindingsOfRequest(req: IncomingMessage): object | undefined {
  const ids = idsOfRequest(req.url);
  return ids.taskId !== undefined || ids.nodeId !== undefined ? ids : undefined;
}

/** A request as the req serializer gets it (Express sets originalUrl). */
interface RawRequest {
  id?: unknown;
  method?: string;
  url?: string;
  originalUrl?: string;
}

/** The pino options of both apps' root logger (appLogging); exported for its spec. */
export function appLoggerOptions(
  app: 'dispatcher' | 'worker',
  config: Pick<SwitchyardConfig, 'logLevel' | 'logPretty' | 'nodeId'>,
): LoggerOptions {
  const transport = config.logPretty ? prettyTransport() : undefined;
  return {
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
    // the serializers get the raw request and response and pick the fields logged (pino's
    // standard serializers would copy headers, parse the query and the redaction then walk
    // them, for fields no line carries)
    serializers: {
      req: (req: RawRequest) => ({
        id: req.id || undefined,
        method: req.method,
        url: loggedUrl(req.originalUrl || req.url),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.headersSent ? res.statusCode : null }),
    },
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
