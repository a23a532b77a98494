import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

// these tests start real processes and stop a real redis-server
jest.setTimeout(180_000);

describe('Redis (AOF on) stopped and restarted mid-run', () => {
  let redis: OwnRedis;
  let cluster: TestCluster;

  beforeAll(async () => {
    redis = await OwnRedis.start({ appendOnly: true });
    cluster = await TestCluster.start({
      redisUrl: redis.url,
      workers: [{ slots: 4 }, { slots: 4 }],
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await redis?.destroy();
  });

  it('answers 503 while Redis is away, survives, and completes every task accepted before the outage', async () => {
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 200 }, (_, i) => ({
        type: 'sleep',
        payload: { ms: 50 + (i % 100) },
      })),
    });
    expect(res.status).toBe(201);
    const ids: string[] = res.body.tasks.map((t: any) => t.id);
    await waitFor(
      async () => Number((await cluster.redis.hget(cluster.key('stats'), 'succeeded')) ?? 0),
      (done) => done >= 20,
      { timeoutMs: 60_000, what: 'the run to be under way' },
    );

    await redis.stop();
    const down = await waitFor(
      () => cluster.get(`/tasks/${ids[0]}`),
      (r) => r.status === 503,
      { what: 'HTTP to answer 503 while Redis is down' },
    );
    expect(down.body).toMatchObject({ statusCode: 503, error: 'store_unavailable' });
    expect(down.body.message).toMatch(/^Redis is unavailable/);
    expect(down.headers.get('retry-after')).toBe('1');
    const submit = await cluster.post('/tasks', { type: 'echo', payload: 1 });
    expect(submit.status).toBe(503);
    expect((await cluster.get('/nodes')).status).toBe(503);

    // keep Redis away longer than the dead threshold and the leader lease: every worker must
    // have missed many heartbeats before it comes back
    await waitFor(
      () => [...cluster.workers.values()].map((w) => w.logsMatching(/heartbeat failed/).length),
      (counts) => counts.every((c) => c >= 15),
      { timeoutMs: 60_000, what: 'workers to miss 15 heartbeats each' },
    );
    for (const p of [...cluster.dispatchers, ...cluster.workers.values()])
      expect(p.running).toBe(true);

    await redis.startProcess();
    // the bus resubscribes: each worker listens on its assignment channel again
    for (const id of cluster.workers.keys()) {
      await waitFor(
        async () =>
          (await cluster.redis.pubsub('NUMSUB', `${cluster.prefix}:node.assigned:${id}`)) as [
            string,
            number,
          ],
        (reply) => Number(reply[1]) >= 1,
        { timeoutMs: 60_000, what: `worker ${id} to resubscribe` },
      );
    }
    const views = await cluster.waitForTasks(ids, ['succeeded', 'failed', 'cancelled'], 150_000);
    expect(
      views.filter((v) => v.state !== 'succeeded').map((v) => [v.id, v.state, v.error]),
    ).toEqual([]);
    for (const v of views)
      expect(v.history.filter((h: any) => h.outcome === 'succeeded')).toHaveLength(1);
    expect(Number(await cluster.redis.hget(cluster.key('stats'), 'succeeded'))).toBe(ids.length);

    // nothing crashed, and the cluster takes new work again
    for (const p of [...cluster.dispatchers, ...cluster.workers.values()])
      expect(p.running).toBe(true);
    const after = await cluster.post('/tasks', { type: 'echo', payload: 'back' });
    expect(after.status).toBe(201);
    const [view] = await cluster.waitForTasks([after.body.id]);
    expect(view).toMatchObject({ state: 'succeeded', result: 'back' });
  });
});
