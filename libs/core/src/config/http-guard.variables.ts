import { ConfigError } from '../errors/switchyard.error';
import { intVar, type ConfigVariable } from './config-variable';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** An exact browser origin: scheme, host and optional port, nothing after. */
const ORIGIN =
  /^https?:\/\/[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** CORS_ORIGINS: a comma-separated list of exact origins; empty = CORS off. */
export function originListVar(name: string, description: string): ConfigVariable<string[]> {
  return {
    name,
    description,
    defaultText: '(empty)',
    read(raw) {
      if (raw === undefined || raw.trim() === '') return [];
      const origins = raw.split(',').map((part) => part.trim());
      for (const origin of origins) {
        if (!ORIGIN.test(origin)) {
          throw new ConfigError(
            name,
            `"${origin}" is not an origin like https://ops.example.com or http://localhost:8080`,
          );
        }
      }
      if (origins.length > 100) throw new ConfigError(name, 'at most 100 origins');
      return [...new Set(origins)];
    },
  };
}

/** Settings of the dispatcher's HTTP guard rails: rate limits, CORS, JSON depth. */
export const HTTP_GUARD_VARIABLES = {
  rateLimitMax: intVar(
    'RATE_LIMIT_MAX',
    'Requests one API key (or, without a key, one client IP) may make per RATE_LIMIT_WINDOW_MS, counted across all dispatchers in Redis; more get 429 with Retry-After. 0 = no rate limit. /health/live is never limited.',
    6000,
    0,
    1_000_000,
  ),
  rateLimitWindowMs: intVar(
    'RATE_LIMIT_WINDOW_MS',
    'Length of the fixed rate-limit window.',
    60 * SECOND,
    100,
    HOUR,
  ),
  rateLimitBlockMs: intVar(
    'RATE_LIMIT_BLOCK_MS',
    'How long a key over RATE_LIMIT_MAX is refused; 0 = until its window ends.',
    0,
    0,
    DAY,
  ),
  corsOrigins: originListVar(
    'CORS_ORIGINS',
    'Browser origins allowed to call the API cross-origin, comma-separated exact origins (https://ops.example.com). Empty = CORS off: no Access-Control-Allow-Origin is ever sent.',
  ),
  maxJsonDepth: intVar(
    'MAX_JSON_DEPTH',
    'Deepest nesting of objects and arrays in a JSON request body (a task payload included); deeper bodies get 400 before they are parsed.',
    64,
    2,
    1000,
  ),
} satisfies Record<string, ConfigVariable<unknown>>;
