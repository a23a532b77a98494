import { Redis } from 'ioredis';
import { OwnRedis } from '../support/redis-server';

describe('a private redis-server for fault tests', () => {
  it('starts on its own port, keeps data across a restart with AOF, and stops by pid', async () => {
    const own = await OwnRedis.start({ appendOnly: true });
    const client = new Redis(own.url, {
      maxRetriesPerRequest: 1,
      retryStrategy: (t) => Math.min(t * 50, 500),
    });
    try {
      await client.set('k', 'v');
      await own.restart();
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
      await own.destroy();
    }
    expect(own.pid).toBeUndefined();
  });
});
