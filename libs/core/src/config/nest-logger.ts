import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { SwitchyardConfig } from './switchyard-config';

const ORDER = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
const NEST_LEVEL: Record<(typeof ORDER)[number], LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
};

/** Nest log levels enabled by LOG_LEVEL (that level and everything more severe). */
export function nestLogLevels(level: SwitchyardConfig['logLevel']): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(level) + 1).map((l) => NEST_LEVEL[l]);
}

/** JSON lines by default, readable lines with LOG_PRETTY. */
export function createAppLogger(context: string, config: Pick<SwitchyardConfig, 'logLevel' | 'logPretty'>): ConsoleLogger {
  return new ConsoleLogger(context, { json: !config.logPretty, logLevels: nestLogLevels(config.logLevel) });
}
