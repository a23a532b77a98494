import { TestCluster, FAST_TIMINGS } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

// these tests start real processes and wait on real failure thresholds
jest.setTimeout(180_000);

const DEAD_AFTER_MS = Number(FAST_TIMINGS.NODE_DEAD_AFTER_MS);
const CHECK_INTERVAL_MS = Number(FAST_TIMINGS.HEALTH_CHECK_INTERVAL_MS);

describe('a worker killed with SIGKILL mid-run', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [
        { id: 'steady-1', slots: 4 },
        { id: 'steady-2', slots: 4 },
        { id: 'victim', slots: 4 },
      ],
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('loses no task and records no result twice: the dead node’s tasks run again elsewhere', async () => {
    const tasks = Array.from({ length: 500 }, (_, i) => ({
      type: 'sleep',
      payload: { ms: 20 + ((i * 37) % 181) },
    }));
    const res = await cluster.post('/tasks/batch', { tasks });
    expect(res.status).toBe(201);
    const ids: string[] = res.body.tasks.map((t: any) => t.id);

    // mid-run: some work done, and the victim holds leases
    const inFlight = await waitFor(
      async () => {
        const [done, leased] = await Promise.all([
          cluster.redis.hget(cluster.key('stats'), 'succeeded'),
          cluster.redis.zrange(cluster.key('nl:victim'), 0, -1),
        ]);
        return { done: Number(done ?? 0), leased };
      },
      (s) => s.done >= 50 && s.leased.length > 0,
      { timeoutMs: 60_000, what: 'the run to be under way with tasks on the victim' },
    );
    const victim = cluster.workers.get('victim')!;
    const killedAt = Date.now();
    await victim.stop('SIGKILL');

    const views = await cluster.waitForTasks(ids, ['succeeded', 'failed', 'cancelled'], 150_000);
    expect(views.filter((v) => v.state !== 'succeeded').map((v) => [v.id, v.state])).toEqual([]);
    // exactly one recorded result per task, in its history and in the cluster counter
    for (const v of views)
      expect(v.history.filter((h: any) => h.outcome === 'succeeded')).toHaveLength(1);
    expect(Number(await cluster.redis.hget(cluster.key('stats'), 'succeeded'))).toBe(500);

    const lost = views.filter((v) => v.history.some((h: any) => h.outcome === 'lost'));
    expect(lost.length).toBeGreaterThan(0);
    for (const v of lost) {
      const lostAttempt = v.history.find((h: any) => h.outcome === 'lost');
      expect(lostAttempt.node).toBe('victim');
      expect(v.history[v.history.length - 1]).toMatchObject({
        outcome: 'succeeded',
        node: expect.stringMatching(/^steady-/),
      });
    }
    // every task the victim held when it died was among them
    const lostIds = new Set(lost.map((v) => v.id));
    const heldAtKill = views.filter(
      (v) =>
        inFlight.leased.includes(v.id) &&
        v.history.every((h: any) => h.node !== 'victim' || h.outcome !== 'succeeded'),
    );
    for (const v of heldAtKill) expect(lostIds).toContain(v.id);
    expect((await cluster.waitForNode('victim', () => true)).status).toBe('dead');

    // failover time: from the kill to the re-queue (the lost attempts' end, written by check-nodes.lua)
    const requeuedAt = Math.max(
      ...lost.map((v) => v.history.find((h: any) => h.outcome === 'lost').endedAt),
    );
    const failoverMs = requeuedAt - killedAt;
    console.log(
      `failover: kill -9 → ${lost.length} task(s) re-queued in ${failoverMs} ms ` +
        `(bound: NODE_DEAD_AFTER_MS ${DEAD_AFTER_MS} + HEALTH_CHECK_INTERVAL_MS ${CHECK_INTERVAL_MS} = ${DEAD_AFTER_MS + CHECK_INTERVAL_MS} ms)`,
    );
    expect(failoverMs).toBeGreaterThan(0);
  });
});
