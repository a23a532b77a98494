import { loadConfig } from '../config/switchyard-config';
import { busOptions } from '../messaging/redis-transport-options';
import { clusterSeeds, redisTopology, sentinelOptions, urlOptions } from './redis-connection';

describe('Redis connection options by topology', () => {
  it('takes host, credentials, db and TLS from REDIS_URL', () => {
    expect(urlOptions('rediss://app:p%40ss@redis.example:6380/2')).toEqual({
      host: 'redis.example',
      port: 6380,
      username: 'app',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
    expect(urlOptions('redis://127.0.0.1')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(urlOptions('rediss://h', { ca: 'CA', rejectUnauthorized: false }).tls).toEqual({
      ca: 'CA',
      rejectUnauthorized: false,
    });
  });

  it('uses the Sentinels, the primary name and the Sentinel password when configured', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://:secret@ignored:1',
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_MASTER: 'orders',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(redisTopology(config)).toBe('sentinel');
    expect(sentinelOptions(config)).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'orders',
      sentinelPassword: 'sentinel-secret',
      failoverDetector: true,
    });
    // the bus finds the primary the same way, with the data password from the URL
    expect(busOptions(config)).toMatchObject({
      name: 'orders',
      password: 'secret',
      retryAttempts: Number.MAX_SAFE_INTEGER,
    });
  });

  it('reaches the primary found through the Sentinels over TLS with rediss://', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://:pw@ignored:1', REDIS_SENTINELS: 's1:26379' });
    expect(sentinelOptions(config)).toMatchObject({ enableTLSForSentinelMode: true });
    expect(busOptions(config)).toMatchObject({ enableTLSForSentinelMode: true, tls: {} });
    expect(sentinelOptions(loadConfig({ REDIS_SENTINELS: 's1:26379' }))).not.toHaveProperty(
      'enableTLSForSentinelMode',
    );
  });

  it('reconnects (to ask the Sentinels again) when a demoted primary answers READONLY', () => {
    const { reconnectOnError } = sentinelOptions(loadConfig({ REDIS_SENTINELS: 's1:26379' }));
    expect(
      reconnectOnError?.(new Error("READONLY You can't write against a read only replica.")),
    ).toBe(true);
    expect(reconnectOnError?.(new Error('ERR something else'))).toBe(false);
  });

  it('gives cluster nodes the credentials of REDIS_URL but not its host or db', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://u:pw@ignored:1/3',
      REDIS_CLUSTER_NODES: 'c1:7000,c2:7001',
    });
    expect(redisTopology(config)).toBe('cluster');
    expect(clusterSeeds(config)).toEqual({
      nodes: [
        { host: 'c1', port: 7000 },
        { host: 'c2', port: 7001 },
      ],
      redisOptions: { username: 'u', password: 'pw' },
    });
  });

  it('keeps a plain URL string working for the bus (standalone)', () => {
    expect(busOptions('redis://h:7000')).toMatchObject({ host: 'h', port: 7000, retryDelay: 500 });
    expect(busOptions('redis://h:7000')).not.toHaveProperty('sentinels');
  });
});
