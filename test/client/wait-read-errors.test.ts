import Redis from 'ioredis';
import { SwitchyardClient, WaitTimeoutError } from '@switchyard/core';
import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/**
 * A wait whose confirming reads fail (here the ACL refuses MGET, as a Redis that is away or a
 * command that times out would) does not end with that error: the reads are tried again, the
 * wait settles once Redis answers, and a wait that times out names the last read error.
 */
describe('a wait rides out failed confirming reads (real Redis)', () => {
  const user = 'waiter';
  const password = 'waiter-pw-7c1e';
  let redis: OwnRedis;
  let admin: Redis;
  let client: SwitchyardClient;

  const allowReads = (allowed: boolean): Promise<unknown> =>
    admin.call('ACL', 'SETUSER', user, allowed ? '+mget' : '-mget');

  beforeAll(async () => {
    redis = await OwnRedis.start();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
    client = SwitchyardClient.fromEnv({
      REDIS_URL: `redis://${user}:${password}@127.0.0.1:${redis.port}`,
      SWITCHYARD_PREFIX: 'waitreads',
    });
  });

  afterAll(async () => {
    await client?.close();
    await admin?.quit();
    await redis?.destroy();
  });

  it('settles once the reads are allowed again', async () => {
    // a real dispatcher and worker finish the task: their message makes the client read it
    const cluster = await TestCluster.start({ workers: 1, redisUrl: redis.url });
    const own = SwitchyardClient.fromEnv({
      ...cluster.env,
      REDIS_URL: `redis://${user}:${password}@127.0.0.1:${redis.port}`,
      SWITCHYARD_PREFIX: cluster.prefix,
    });
    try {
      // the refusal looked for below is this wait's, not an earlier one's
      await admin.call('ACL', 'LOG', 'RESET');
      await allowReads(false);
      const { id } = await own.submit({ type: 'echo', payload: { n: 1 } });
      // no poll within the test: only the message and the reads it asks for can settle the wait
      const wait = own.waitForStates([id], { timeoutMs: 60_000, pollIntervalMs: 60_000 });
      await waitFor(
        async () => JSON.stringify(await admin.call('ACL', 'LOG')),
        (log) => log.includes('mget'),
        { what: 'a refused confirming read in the ACL log' },
      );
      await allowReads(true);
      await expect(wait).resolves.toEqual([{ id, state: 'succeeded' }]);
    } finally {
      await allowReads(true);
      await own.close();
      await cluster.stop();
    }
  });

  it('names the last read error when it times out', async () => {
    const { id } = await client.submit({ type: 'echo', payload: { n: 2 } });
    await allowReads(false);
    try {
      const wait = client.waitFor([id], { timeoutMs: 1_500, pollIntervalMs: 200 });
      await client.cancel(id);
      const err = await wait.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WaitTimeoutError);
      expect((err as Error).message).toMatch(/1 task\(s\) did not finish .*last read .*NOPERM/);
    } finally {
      await allowReads(true);
    }
  });
});
