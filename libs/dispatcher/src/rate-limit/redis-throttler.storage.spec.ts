import { Logger } from '@nestjs/common';
import { StoreUnavailableError, type RateLimitHit, type RateLimitStore } from '@switchyard/core';
import { RedisThrottlerStorage } from './redis-throttler.storage';

function storeAnswering(hit: () => Promise<RateLimitHit>): RateLimitStore {
  return { hit } as unknown as RateLimitStore;
}

describe('RedisThrottlerStorage', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('reports times in whole seconds, rounded up, as @nestjs/throttler expects', async () => {
    const storage = new RedisThrottlerStorage(
      storeAnswering(async () => ({ hits: 7, windowLeftMs: 1200, blocked: true, blockLeftMs: 1 })),
    );
    await expect(storage.increment('k', 2000, 6, 0)).resolves.toEqual({
      totalHits: 7,
      timeToExpire: 2,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
  });

  it('admits the request when Redis is unavailable', async () => {
    const storage = new RedisThrottlerStorage(
      storeAnswering(async () => {
        throw new StoreUnavailableError('connection refused');
      }),
    );
    await expect(storage.increment('k', 60_000, 1, 0)).resolves.toMatchObject({
      isBlocked: false,
    });
  });

  it('passes any other error on', async () => {
    const storage = new RedisThrottlerStorage(
      storeAnswering(async () => {
        throw new RangeError('bad key');
      }),
    );
    await expect(storage.increment('k', 60_000, 1, 0)).rejects.toThrow(RangeError);
  });
});
