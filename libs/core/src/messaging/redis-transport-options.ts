import type { RedisOptions as NestRedisOptions } from '@nestjs/microservices';

type TransportOptions = NonNullable<NestRedisOptions['options']>;

/**
 * Nest Redis transport options from a redis:// URL. retryAttempts/retryDelay are set on both
 * server and client: without them Nest never reconnects after a Redis restart (nestjs/nest#14559).
 */
export function busOptions(redisUrl: string): TransportOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    ...(Number.isInteger(db) && db > 0 && { db }),
    ...(url.protocol === 'rediss:' && { tls: {} }),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: 500,
  } as TransportOptions;
}
