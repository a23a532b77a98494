import { Redis, type RedisOptions } from 'ioredis';
import type { SwitchyardConfig } from '../config/switchyard-config';

export type RedisConfig = Pick<SwitchyardConfig, 'redisUrl'>;

/** Options shared by every Switchyard connection: reconnect forever with capped backoff. */
export function redisOptions(connectionName: string): RedisOptions {
  return {
    connectionName,
    lazyConnect: true,
    // fail fast while disconnected: callers turn this into 503 / a retry on their next tick
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    commandTimeout: 10_000,
  };
}

export function createRedis(config: RedisConfig, connectionName: string): Redis {
  return new Redis(config.redisUrl, redisOptions(connectionName));
}

/** Connects, waiting until Redis answers (with a deadline). */
export async function connectRedis(redis: Redis, timeoutMs = 30_000): Promise<void> {
  if (redis.status === 'ready') return;
  const deadline = Date.now() + timeoutMs;
  if (redis.status === 'wait') await redis.connect().catch(() => undefined);
  while ((redis.status as string) !== 'ready') {
    if (Date.now() > deadline) throw new Error(`Redis did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** QUIT with a deadline, then drop the socket: shutdown never hangs on a dead Redis. */
export async function closeRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  redis.disconnect();
}
