import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Keyspace, RateLimitStore } from '@switchyard/core';
import { SHARED_REDIS_URL } from '../support/redis-server';

describe('the rate-limit script', () => {
  let redis: Redis;
  let keys: Keyspace;
  let store: RateLimitStore;

  beforeAll(() => {
    redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
    keys = new Keyspace(`r${randomBytes(5).toString('hex')}`);
    store = new RateLimitStore(redis, keys);
  });

  afterAll(async () => {
    const left = await redis.keys(`${keys.base}*`);
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
  });

  it('counts hits in a window that expires, and refuses the one over the limit until the window ends', async () => {
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await store.hit('k1', 60_000, 3, 0));
    expect(hits.map((h) => [h.hits, h.blocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(hits[3].blockLeftMs).toBeGreaterThan(0);
    expect(hits[3].blockLeftMs).toBeLessThanOrEqual(60_000);
    const ttl = await redis.pttl(keys.rateLimit('k1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('blocks for the block time once over, without counting the refused requests', async () => {
    await store.hit('k2', 60_000, 1, 0);
    const over = await store.hit('k2', 60_000, 1, 120_000);
    expect(over).toMatchObject({ hits: 2, blocked: true });
    expect(over.blockLeftMs).toBeGreaterThan(60_000);
    const again = await store.hit('k2', 60_000, 1, 120_000);
    expect(again).toMatchObject({ hits: 2, blocked: true });
    const blockTtl = await redis.pttl(`${keys.rateLimit('k2')}:b`);
    expect(blockTtl).toBeGreaterThan(60_000);
    expect(blockTtl).toBeLessThanOrEqual(120_000);
  });

  it('keeps each key apart', async () => {
    await store.hit('k3', 60_000, 1, 0);
    expect((await store.hit('k3', 60_000, 1, 0)).blocked).toBe(true);
    expect((await store.hit('k4', 60_000, 1, 0)).blocked).toBe(false);
  });

  it('bounds every TTL to a day whatever it is asked for', async () => {
    await store.hit('k5', 10 * 86_400_000, 0, 10 * 86_400_000);
    expect(await redis.pttl(keys.rateLimit('k5'))).toBeLessThanOrEqual(86_400_000);
    expect(await redis.pttl(`${keys.rateLimit('k5')}:b`)).toBeLessThanOrEqual(86_400_000);
  });

  it('refuses a key that is not a short hash', async () => {
    await expect(store.hit('a b', 1000, 1, 0)).rejects.toThrow(RangeError);
    await expect(store.hit('x'.repeat(129), 1000, 1, 0)).rejects.toThrow(RangeError);
  });
});
