import { ConfigError } from '../errors/switchyard.error';
import { loadConfig } from './switchyard-config';

describe('Redis topology and durability configuration', () => {
  it('defaults to a standalone Redis and answers submits once the primary has them', () => {
    const c = loadConfig({});
    expect(c.redisSentinels).toEqual([]);
    expect(c.redisClusterNodes).toEqual([]);
    expect(c.redisSentinelMaster).toBe('mymaster');
    expect(c.submitDurability).toBe(0);
  });

  it('parses host:port lists, IPv6 in brackets included', () => {
    const c = loadConfig({
      REDIS_SENTINELS: 's1:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_MASTER: 'orders',
    });
    expect(c.redisSentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(c.redisSentinelMaster).toBe('orders');
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' }).redisClusterNodes).toHaveLength(2);
  });

  it('reads SUBMIT_DURABILITY as the number of replicas to wait for', () => {
    expect(loadConfig({ SUBMIT_DURABILITY: 'none' }).submitDurability).toBe(0);
    expect(loadConfig({ SUBMIT_DURABILITY: 'replicas:2' }).submitDurability).toBe(2);
  });

  it.each([
    [{ REDIS_SENTINELS: 's1' }, /REDIS_SENTINELS: "s1" is not host:port/],
    [{ REDIS_CLUSTER_NODES: 'a:7000,b:99999' }, /REDIS_CLUSTER_NODES: "b:99999" is not host:port/],
    [{ REDIS_SENTINEL_MASTER: 'my master' }, /REDIS_SENTINEL_MASTER: must match/],
    [{ SUBMIT_DURABILITY: 'all' }, /SUBMIT_DURABILITY: must be "none" or "replicas:N"/],
    [{ SUBMIT_DURABILITY: 'replicas:0' }, /SUBMIT_DURABILITY/],
    [{ SUBMIT_WAIT_MS: '60000' }, /SUBMIT_WAIT_MS: must be between 1 and 5000/],
    [{ REDIS_SENTINELS: 's:1', REDIS_CLUSTER_NODES: 'c:2' }, /not both/],
  ])('names the bad variable in %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
