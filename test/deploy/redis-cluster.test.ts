import { SwitchyardClient, SwitchyardRedisClient } from '@switchyard/core';
import { once } from 'node:events';
import { Cluster, type Redis } from 'ioredis';
import { OwnRedisCluster } from '../support/redis-cluster-servers';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

describe('Switchyard on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  let redisCluster: OwnRedisCluster;
  let cluster: TestCluster;
  let direct: Cluster;

  beforeAll(async () => {
    redisCluster = await OwnRedisCluster.start(3);
    cluster = await TestCluster.start({
      dispatchers: 2,
      workers: 2,
      redisUrl: `redis://127.0.0.1:${redisCluster.nodes[0].port}`,
      env: {
        // the apps' REDIS_URL leads nowhere: they can only work through the cluster seeds
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_CLUSTER_NODES: redisCluster.seeds,
        MAX_PAYLOAD_BYTES: '4096',
      },
    });
    direct = new Cluster(redisCluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
  }, 120_000);

  afterAll(async () => {
    await direct?.quit().catch(() => undefined);
    await cluster?.stop();
    await redisCluster?.destroy();
  }, 60_000);

  it('runs 200 tasks of mixed types to succeeded with the right results', async () => {
    // the echo texts make the batch long enough (~130k characters) to be written to the
    // cluster node in pieces (script-command.ts), multi-byte characters included
    const specs = Array.from({ length: 200 }, (_, i) => {
      if (i % 3 === 0)
        return { type: 'echo', payload: { i, text: `hello ${i} ${'é😀'.repeat(600)}` } };
      if (i % 3 === 1) return { type: 'sleep', payload: { ms: 5 + (i % 20) } };
      return { type: 'hash', payload: { rounds: 1 + (i % 5), input: `in-${i}` } };
    });
    const submitted = await cluster.post('/tasks/batch', { tasks: specs });
    expect(submitted.status).toBe(201);
    const ids: string[] = submitted.body.tasks.map((t: { id: string }) => t.id);

    const views = await cluster.waitForTasks(ids);
    views.forEach((view, i) => {
      expect(view.state).toBe('succeeded');
      const spec = specs[i];
      if (spec.type === 'echo') expect(view.result).toEqual(spec.payload);
      if (spec.type === 'sleep')
        expect(view.result).toEqual({ slept: (spec.payload as { ms: number }).ms });
      if (spec.type === 'hash')
        expect(view.result.rounds).toBe((spec.payload as { rounds: number }).rounds);
      expect(view.history).toHaveLength(1);
    });
    expect(new Set(views.map((v) => v.history[0].node)).size).toBe(2);
  }, 60_000);

  it('keeps every key of the prefix in one slot, on the master that owns it', async () => {
    const res = await cluster.post('/tasks', { type: 'echo', payload: { where: 'slot' } });
    expect(res.status).toBe(201);
    await cluster.waitForTasks([res.body.id]);
    const owner = await redisCluster.ownerOf(cluster.key(''));
    const keysPerNode = await Promise.all(
      direct.nodes('master').map(async (node) => ({
        port: node.options.port,
        keys: await node.keys(`{${cluster.prefix}}:*`),
      })),
    );
    for (const { port, keys } of keysPerNode) {
      if (port === owner)
        expect(keys).toEqual(
          expect.arrayContaining([cluster.key(`t:${res.body.id}`), cluster.key('nodes')]),
        );
      else expect(keys).toEqual([]);
    }
  }, 60_000);

  it('talks to the master that owns the slot (the apps REDIS_URL points nowhere)', async () => {
    const owner = await redisCluster.ownerOf(cluster.key(''));
    const node = direct.nodes('master').find((n) => n.options.port === owner)!;
    const list = String(await node.call('CLIENT', 'LIST'));
    expect(list).toMatch(/name=switchyard-dispatcher /);
    expect(list).toMatch(/name=switchyard-worker:w\d-/);
  }, 60_000);

  it('runs the scripts as Functions, loaded on every master, and again after FUNCTION FLUSH', async () => {
    const libraries = async (): Promise<unknown[]> =>
      Promise.all(direct.nodes('master').map((node) => node.call('FUNCTION', 'LIST')));
    for (const list of await libraries()) expect(JSON.stringify(list)).toMatch(/switchyard_/);
    await Promise.all(direct.nodes('master').map((node) => node.call('FUNCTION', 'FLUSH')));
    const res = await cluster.post('/tasks', { type: 'echo', payload: { after: 'flush' } });
    expect(res.status).toBe(201);
    const [view] = await cluster.waitForTasks([res.body.id]);
    expect(view.result).toEqual({ after: 'flush' });
    for (const list of await libraries()) expect(JSON.stringify(list)).toMatch(/switchyard_/);
  }, 60_000);

  it('ends a failing task failed with its message', async () => {
    const res = await cluster.post('/tasks', {
      type: 'fail',
      payload: { message: 'boom', retryable: false },
    });
    expect(res.status).toBe(201);
    const [view] = await cluster.waitForTasks([res.body.id]);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ message: 'boom', retryable: false });
  }, 60_000);

  it('returns the first task again for a repeated idempotency key', async () => {
    const first = await cluster.post('/tasks', {
      type: 'echo',
      payload: { n: 1 },
      idempotencyKey: 'order-42',
    });
    const again = await cluster.post('/tasks', {
      type: 'echo',
      payload: { n: 2 },
      idempotencyKey: 'order-42',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  }, 60_000);

  it('rejects bad input with a 4xx and creates nothing', async () => {
    const owner = await redisCluster.ownerOf(cluster.key(''));
    const node = direct.nodes('master').find((n) => n.options.port === owner)!;
    const before = (await node.keys(cluster.key('t:*'))).length;
    expect((await cluster.post('/tasks', { type: 'echo', bogus: 1 })).status).toBe(400);
    expect((await cluster.post('/tasks', { type: 'echo', payload: 'x'.repeat(5000) })).status).toBe(
      413,
    );
    expect((await node.keys(cluster.key('t:*'))).length).toBe(before);
  }, 60_000);

  it('lets the programmatic client submit and wait through the cluster', async () => {
    const client = SwitchyardClient.fromEnv({
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: redisCluster.seeds,
      SWITCHYARD_PREFIX: cluster.prefix,
    });
    try {
      const outcome = await client.submit({ type: 'echo', payload: { via: 'client' } });
      const [view] = await client.waitFor([outcome.id], { timeoutMs: 30_000 });
      expect(view.state).toBe('succeeded');
      expect(view.result).toEqual({ via: 'client' });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('lets a bus client close while its Cluster connections are still coming up', async () => {
    // Cluster.quit() while connecting has no nodes to quit yet; the connection then comes up
    // after close, and Nest's ready handler read the nulled subscriber (a TypeError in CI)
    const config = {
      redisUrl: 'redis://127.0.0.1:1',
      redisClusterNodes: redisCluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    };
    for (let i = 0; i < 20; i++) {
      const bus = new SwitchyardRedisClient(config, cluster.prefix);
      const connecting = bus.connect().catch(() => undefined);
      const [pub, sub] = bus.unwrap<[Redis, Redis]>();
      // close at once (no node known yet), or once the slots are known and the ready check runs
      if (i % 2 === 1) await once(pub, 'connect');
      await bus.close();
      await connecting;
      for (const conn of [pub, sub]) {
        await waitFor(
          async () => conn.status,
          (status) => status === 'end' || status === 'close',
          { timeoutMs: 10_000, what: `bus client ${i} to be closed (status ${conn.status})` },
        );
      }
    }
  }, 60_000);
});
