import { DispatcherRegistryStore, NotLeaderError, type DispatcherInfo } from '@switchyard/core';
import { StoreFixture } from '../support/store-fixture';

// Script-level: the shared Redis on a private prefix is enough (nothing here stops Redis).
describe('the leader lease and the dispatcher registry in Redis', () => {
  let f: StoreFixture;

  beforeEach(() => {
    f = new StoreFixture();
  });

  afterEach(async () => {
    await f.close();
  });

  describe('leader lease', () => {
    it('grows the epoch on every new acquisition and keeps it on renewal', async () => {
      expect(await f.leader.acquire('a', 60_000)).toBe('1:a');
      expect(await f.leader.acquire('a', 60_000)).toBe('1:a');
      expect(await f.leader.release('1:a')).toBe(true);
      expect(await f.leader.acquire('b', 60_000)).toBe('2:b');
      await f.redis.del(f.keys.leader); // as if it expired
      expect(await f.leader.acquire('b', 60_000)).toBe('3:b');
      expect(await f.leader.current()).toMatchObject({ value: '3:b', epoch: 3, holder: 'b' });
    });

    it('renews only for the holder of the token', async () => {
      await f.leader.acquire('a', 60_000);
      const ttlBefore = await f.redis.pttl(f.keys.leader);
      expect(await f.leader.acquire('b', 1)).toBeNull();
      expect(await f.redis.get(f.keys.leader)).toBe('1:a');
      expect(await f.redis.pttl(f.keys.leader)).toBeGreaterThan(ttlBefore - 1000);
    });

    it('releases only the exact lease value (an older term of the same token cannot release)', async () => {
      await f.leader.acquire('a', 60_000);
      await f.redis.del(f.keys.leader);
      await f.leader.acquire('a', 60_000); // epoch 2
      expect(await f.leader.release('1:a')).toBe(false);
      expect(await f.redis.get(f.keys.leader)).toBe('2:a');
    });

    it('refuses assignments from a former leader once another holds a newer epoch, changing nothing', async () => {
      const old = (await f.leader.acquire('old', 60_000)) as string;
      const inc = await f.nodes.register(f.registration('n1'));
      const [{ id }] = await f.tasks.submit([f.spec()]);
      await f.redis.del(f.keys.leader); // the old leader's lease lapsed while it was paused
      expect(await f.leader.acquire('new', 60_000)).toBe('2:new');
      const before = await f.snapshot();
      await expect(
        f.tasks.assign(old, [{ taskId: id, nodeId: 'n1', incarnation: inc }]),
      ).rejects.toBeInstanceOf(NotLeaderError);
      expect(await f.leader.acquire('old', 60_000)).toBeNull();
      expect(await f.snapshot()).toEqual(before);
    });

    it('reads the latest epoch while the lease is free', async () => {
      expect(await f.leader.read()).toEqual({ leader: null, lastEpoch: 0 });
      await f.leader.acquire('a', 60_000);
      await f.leader.release('1:a');
      expect(await f.leader.read()).toEqual({ leader: null, lastEpoch: 1 });
    });
  });

  describe('dispatcher registry', () => {
    const info = (id: string, startedAt: number): DispatcherInfo => ({
      id,
      host: 'h',
      pid: 7,
      httpPort: 3000,
      startedAt,
    });

    it('lists dispatchers heard from within the TTL, oldest first, and forgets silent ones', async () => {
      const registry = new DispatcherRegistryStore(f.redis, f.keys);
      const ttl = 60_000; // the hashes expire in real time: keep them alive through the test
      await registry.beat(info('d2', 200), ttl, 100_000);
      await registry.beat(info('d1', 100), ttl, 130_000);
      expect(await registry.list(ttl, 150_000)).toEqual([
        { ...info('d1', 100), lastSeenAt: 130_000 },
        { ...info('d2', 200), lastSeenAt: 100_000 },
      ]);
      expect((await registry.list(ttl, 165_000)).map((d) => d.id)).toEqual(['d1']);
      // a later beat prunes the silent one from the index; its hash expires by itself
      await registry.beat(info('d1', 100), ttl, 170_000);
      expect(await f.redis.zrange(f.keys.dispatchers, 0, -1)).toEqual(['d1']);
      expect(await f.redis.pttl(f.keys.dispatcher('d1'))).toBeGreaterThan(0);
    });

    it('removes a dispatcher that leaves', async () => {
      const registry = new DispatcherRegistryStore(f.redis, f.keys);
      await registry.beat(info('d1', 100), 60_000);
      await registry.leave('d1');
      expect(await registry.list(60_000)).toEqual([]);
      expect(await f.redis.exists(f.keys.dispatcher('d1'))).toBe(0);
    });
  });
});
