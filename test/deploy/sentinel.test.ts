import { OwnSentinelGroup, SENTINEL_MASTER } from '../support/redis-sentinel-group';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** Submits one task at a time until stopped (bounded), recording what was acknowledged. */
class Submitter {
  readonly acknowledged: { id: string; at: number }[] = [];
  readonly refusals = new Map<number, number>();
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly cluster: TestCluster,
    maxSubmits: number,
  ) {
    this.done = this.run(maxSubmits);
  }

  private async run(maxSubmits: number): Promise<void> {
    for (let i = 0; i < maxSubmits && !this.stopped; i++) {
      try {
        const res = await this.cluster.post('/tasks', { type: 'sleep', payload: { ms: 10 } });
        if (res.status === 201) this.acknowledged.push({ id: res.body.id, at: Date.now() });
        else this.refusals.set(res.status, (this.refusals.get(res.status) ?? 0) + 1);
      } catch {
        this.refusals.set(0, (this.refusals.get(0) ?? 0) + 1);
      }
      // pace the load so the machine's two cores stay free for the failover itself
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

describe('Redis Sentinel: the system follows a failover (REDIS_SENTINELS)', () => {
  let group: OwnSentinelGroup;
  let cluster: TestCluster;

  beforeAll(async () => {
    group = await OwnSentinelGroup.start();
    const primary = await group.primaryPort();
    cluster = await TestCluster.start({
      workers: 2,
      redisUrl: `redis://:${group.password}@127.0.0.1:${primary}`,
      env: {
        // the apps find the primary through the Sentinels only: REDIS_URL gives the password
        REDIS_URL: `redis://:${group.password}@127.0.0.1:1`,
        REDIS_SENTINELS: group.seeds,
        REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
        SUBMIT_DURABILITY: 'replicas:1',
        SUBMIT_WAIT_MS: '2000',
        // a few seconds without Redis during the failover must not read as dead workers
        NODE_SUSPECT_AFTER_MS: '10000',
        NODE_DEAD_AFTER_MS: '20000',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await group?.destroy();
  }, 60_000);

  it('finishes every task it acknowledged when the primary is killed', async () => {
    const first = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 50 }, (_, i) => ({
        type: 'sleep',
        payload: { ms: 20 + (i % 10) },
      })),
    });
    expect(first.status).toBe(201);
    const batchIds: string[] = first.body.tasks.map((t: { id: string }) => t.id);

    const submitter = new Submitter(cluster, 3000);
    try {
      await waitFor(
        () => submitter.acknowledged.length,
        (n) => n >= 20,
        { what: 'submits before the failover' },
      );

      const oldPort = await group.primaryPort();
      await group.server(oldPort).kill();
      const killedAt = Date.now();
      await waitFor(
        () => group.primaryPort(),
        (p) => p !== oldPort,
        {
          timeoutMs: 60_000,
          intervalMs: 100,
          what: 'the Sentinels to promote the replica',
        },
      );
      // the old primary comes back; the Sentinels make it a replica of the new one, so
      // durable submits (SUBMIT_DURABILITY=replicas:1) can be confirmed again
      await group.server(oldPort).startProcess();
      // ask whichever server the Sentinels name as primary now: on a loaded machine they may
      // fail over once more while the old primary rejoins
      await waitFor(
        async () => {
          const client = group.client(await group.primaryPort());
          try {
            return String(await client.info('replication'));
          } finally {
            client.disconnect();
          }
        },
        (info) => /connected_slaves:1/.test(info) && /state=online/.test(info),
        { timeoutMs: 60_000, intervalMs: 200, what: 'the old primary to rejoin as a replica' },
      );
      await waitFor(
        () => submitter.acknowledged.filter((a) => a.at > killedAt).length,
        (n) => n >= 20,
        { timeoutMs: 60_000, what: 'submits acknowledged after the failover' },
      );
      await submitter.stop();

      const acknowledged = [...batchIds, ...submitter.acknowledged.map((a) => a.id)];
      const views = await cluster.waitForTasks(
        acknowledged,
        ['succeeded', 'failed', 'cancelled'],
        90_000,
      );
      expect(views.filter((v) => v.state !== 'succeeded')).toEqual([]);
      expect(views).toHaveLength(acknowledged.length);

      // refusals during the failover are 503s (Redis unavailable or replica not confirmed), never 500s
      expect([...submitter.refusals.keys()].filter((status) => status !== 503)).toEqual([]);

      // the tasks live on the current primary: the apps followed the failover(s)
      const direct = group.client(await group.primaryPort());
      try {
        const after = submitter.acknowledged.filter((a) => a.at > killedAt).map((a) => a.id);
        const stored = await direct.mget(...after.map((id) => cluster.key(`t:${id}`)));
        expect(stored.every((raw) => raw !== null)).toBe(true);
        expect(String(await direct.info('replication'))).toMatch(/role:master/);
      } finally {
        direct.disconnect();
      }
      // the same worker processes did the work before and after: they reconnected, not restarted
      expect([...cluster.workers.values()].every((w) => w.running)).toBe(true);
    } finally {
      await submitter.stop();
    }
  }, 240_000);
});
