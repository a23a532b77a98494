import type { RedisOptions as NestRedisOptions } from '@nestjs/microservices';
import { Cluster, type Redis } from 'ioredis';
import {
  clusterSeeds,
  redisTopology,
  sentinelOptions,
  urlOptions,
  type RedisConfig,
} from '../store/redis-connection';

type TransportOptions = NonNullable<NestRedisOptions['options']>;

function asRedisConfig(redis: string | RedisConfig): RedisConfig {
  return typeof redis === 'string' ? { redisUrl: redis } : redis;
}

/**
 * Nest Redis transport options from REDIS_URL (and the Sentinels when configured).
 * retryAttempts/retryDelay are set on both server and client: without them Nest never
 * reconnects after a Redis restart (nestjs/nest#14559).
 */
export function busOptions(redis: string | RedisConfig): TransportOptions {
  const config = asRedisConfig(redis);
  return {
    ...urlOptions(config.redisUrl, config.redisTls),
    ...sentinelOptions(config),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: 500,
  } as TransportOptions;
}

/**
 * In cluster mode the transport's pub and sub connections are ioredis Cluster clients, or
 * undefined otherwise. Pub/sub needs no slot: a PUBLISH on any node reaches subscribers on
 * every node, and ioredis re-subscribes on another node when its subscriber's node fails.
 */
export function busCluster(
  redis: string | RedisConfig,
  retryStrategy: (times: number) => number | undefined | void,
): Redis | undefined {
  const config = asRedisConfig(redis);
  if (redisTopology(config) !== 'cluster') return undefined;
  const seeds = clusterSeeds(config);
  return new Cluster(seeds.nodes, {
    lazyConnect: true,
    clusterRetryStrategy: (times) => retryStrategy(times) ?? null,
    redisOptions: seeds.redisOptions,
  }) as unknown as Redis;
}
