import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

describe('durable submit (SUBMIT_DURABILITY=replicas:1): 201 only once a replica has the task', () => {
  let primary: OwnRedis;
  let replica: OwnRedis | undefined;
  let cluster: TestCluster;

  beforeAll(async () => {
    primary = await OwnRedis.start({ appendOnly: true });
    cluster = await TestCluster.start({
      workers: 1,
      redisUrl: primary.url,
      env: { SUBMIT_DURABILITY: 'replicas:1', SUBMIT_WAIT_MS: '2000' },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await replica?.destroy();
    await primary?.destroy();
  }, 60_000);

  it('answers 503 while no replica confirms, then 200/201 once one does', async () => {
    const refused = await cluster.post('/tasks', {
      type: 'echo',
      payload: { n: 1 },
      idempotencyKey: 'durable-1',
    });
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(
      /only 0 of 1 replica\(s\) confirmed it within 2000 ms \(SUBMIT_DURABILITY\)/,
    );

    // the primary has the task and runs it: the 503 says "not confirmed durable", not "lost"
    const taskKeys = await cluster.redis.keys(cluster.key('t:*'));
    expect(taskKeys).toHaveLength(1);

    replica = await OwnRedis.start({
      extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
    });
    await waitFor(
      async () => String(await cluster.redis.info('replication')),
      (info) => /connected_slaves:1/.test(info) && /state=online/.test(info),
      { timeoutMs: 30_000, what: 'the replica to sync' },
    );

    // the same idempotency key now answers with the task the first attempt created (retried:
    // a busy machine may need more than one WAIT for the new replica's first acknowledgement)
    const again = await waitFor(
      () =>
        cluster.post('/tasks', { type: 'echo', payload: { n: 1 }, idempotencyKey: 'durable-1' }),
      (res) => res.status !== 503,
      { timeoutMs: 30_000, what: 'a confirmed replay' },
    );
    expect(again.status).toBe(200);
    expect(`{${cluster.prefix}}:t:${again.body.id}`).toBe(taskKeys[0]);

    const fresh = await cluster.post('/tasks', { type: 'echo', payload: { n: 2 } });
    expect(fresh.status).toBe(201);
    const views = await cluster.waitForTasks([again.body.id, fresh.body.id]);
    expect(views.map((v) => v.state)).toEqual(['succeeded', 'succeeded']);
  }, 120_000);
});
