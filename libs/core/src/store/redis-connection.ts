import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisTls } from '../config/redis-security.variables';
import type { SwitchyardConfig } from '../config/switchyard-config';
import { RedisErrorLog, refusal } from './redis-failure';

/**
 * What a connection needs: REDIS_URL, plus the Sentinel or Cluster settings when used
 * (optional so that `{ redisUrl }` alone still means a standalone Redis).
 */
export type RedisConfig = Pick<SwitchyardConfig, 'redisUrl'> &
  Partial<
    Pick<
      SwitchyardConfig,
      | 'redisSentinels'
      | 'redisSentinelMaster'
      | 'redisSentinelPassword'
      | 'redisClusterNodes'
      | 'redisTls'
    >
  >;

export type RedisTopology = 'standalone' | 'sentinel' | 'cluster';

export function redisTopology(config: RedisConfig): RedisTopology {
  if ((config.redisClusterNodes ?? []).length > 0) return 'cluster';
  if ((config.redisSentinels ?? []).length > 0) return 'sentinel';
  return 'standalone';
}

/** Host, port, credentials, db and TLS (with the REDIS_TLS_* material) from a redis:// or rediss:// URL. */
export function urlOptions(redisUrl: string, tls?: RedisTls): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    ...(Number.isInteger(db) && db > 0 && { db }),
    ...(url.protocol === 'rediss:' && { tls: { ...tls } }),
  };
}

/**
 * Sentinel settings for ioredis: it asks the Sentinels for the primary on every (re)connect,
 * and `failoverDetector` follows a +switch-master even while the old primary still answers
 * (a planned failover demotes it to a read-only replica without closing our socket).
 */
export function sentinelOptions(config: RedisConfig): RedisOptions {
  if (redisTopology(config) !== 'sentinel') return {};
  return {
    sentinels: config.redisSentinels,
    name: config.redisSentinelMaster ?? 'mymaster',
    ...(config.redisSentinelPassword && { sentinelPassword: config.redisSentinelPassword }),
    failoverDetector: true,
    // ioredis ignores `tls` for the primary found through Sentinels unless told (the
    // Sentinels themselves are reached without TLS)
    ...(config.redisTls !== undefined && { enableTLSForSentinelMode: true }),
    // a demoted primary answers writes with READONLY: reconnect, which asks the Sentinels again
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/** Seed nodes and per-node credentials for an ioredis Cluster (the URL's host and db do not apply). */
export function clusterSeeds(config: RedisConfig): {
  nodes: { host: string; port: number }[];
  redisOptions: RedisOptions;
} {
  const { username, password, tls } = urlOptions(config.redisUrl, config.redisTls);
  return {
    nodes: (config.redisClusterNodes ?? []).map(({ host, port }) => ({ host, port })),
    redisOptions: {
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
      ...(tls !== undefined && { tls }),
    },
  };
}

const backoff = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2000);

/** Options shared by every Switchyard connection: reconnect forever with capped backoff. */
export function redisOptions(connectionName: string): RedisOptions {
  return {
    connectionName,
    lazyConnect: true,
    // fail fast while disconnected: callers turn this into 503 / a retry on their next tick
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: backoff,
    commandTimeout: 10_000,
  };
}

function clusterOptions(config: RedisConfig, connectionName: string): ClusterOptions {
  const { retryStrategy: _perNode, lazyConnect: _lazy, ...perNode } = redisOptions(connectionName);
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: backoff,
    redisOptions: { ...perNode, ...clusterSeeds(config).redisOptions },
  };
}

/**
 * The command connection for the configured topology. A Cluster is returned under the Redis
 * type on purpose: every key a store touches carries the `{prefix}` hash tag, so each command,
 * script and pipeline goes to the one node that owns that slot, and ioredis's Cluster offers
 * the same command methods (defineCommand, pipeline, status, quit) the stores use. Keyless
 * commands (SCAN, KEYS, WAIT, FLUSHDB) would go to a random node: stores must not use them.
 */
export function createRedis(
  config: RedisConfig,
  connectionName: string,
  overrides: { enableOfflineQueue?: boolean } = {},
): Redis {
  const redis = connectionFor(config, connectionName, overrides);
  // without a listener ioredis prints every reconnect error with its stack; this logs the
  // message only (never the AUTH arguments ioredis attaches), rate limited
  const errors = new RedisErrorLog(connectionName);
  redis.on('error', (err: unknown) => errors.report(err));
  return redis;
}

function connectionFor(
  config: RedisConfig,
  connectionName: string,
  overrides: { enableOfflineQueue?: boolean },
): Redis {
  switch (redisTopology(config)) {
    case 'cluster':
      return new Cluster(clusterSeeds(config).nodes, {
        ...clusterOptions(config, connectionName),
        ...overrides,
      }) as unknown as Redis;
    case 'sentinel': {
      const {
        host: _host,
        port: _port,
        ...credentials
      } = urlOptions(config.redisUrl, config.redisTls);
      return new Redis({
        ...credentials,
        ...sentinelOptions(config),
        ...redisOptions(connectionName),
        ...overrides,
      });
    }
    default:
      return new Redis(config.redisUrl, {
        ...redisOptions(connectionName),
        ...(config.redisTls !== undefined && { tls: { ...config.redisTls } }),
        ...overrides,
      });
  }
}

/**
 * Connects, waiting until Redis answers (with a deadline). Wrong credentials or a failed TLS
 * handshake end the wait at once with a RedisRefusedError that says what to check.
 */
export async function connectRedis(redis: Redis, timeoutMs = 30_000): Promise<void> {
  if (redis.status === 'ready') return;
  let refused: Error | undefined;
  const onError = (err: unknown): void => {
    refused ??= refusal(err);
  };
  redis.on('error', onError);
  try {
    const deadline = Date.now() + timeoutMs;
    if (redis.status === 'wait') await redis.connect().catch(onError);
    while ((redis.status as string) !== 'ready') {
      if (refused !== undefined) throw refused;
      if (Date.now() > deadline) throw new Error(`Redis did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    redis.off('error', onError);
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
