import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** The most intervals that overlap at any instant. */
function maxOverlap(spans: [number, number][]): number {
  return Math.max(...spans.map(([s]) => spans.filter(([s2, e2]) => s2 <= s && s < e2).length));
}

describe('cluster-wide limits per task type', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [{ slots: 4 }, { slots: 4 }],
      env: {
        TYPE_LIMITS: JSON.stringify({ sleep: { maxRunning: 2 }, echo: { maxStartsPerSecond: 3 } }),
      },
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('never has more than maxRunning tasks of the type assigned or running at once', async () => {
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 8 }, () => ({ type: 'sleep', payload: { ms: 150 } })),
    });
    const views = await cluster.waitForTasks(res.body.tasks.map((t: { id: string }) => t.id));
    expect(views.every((v) => v.state === 'succeeded')).toBe(true);
    // a lease holds from assignment to the finish report: that is what the limit counts
    const spans = views.map((v) => [v.history[0].assignedAt, v.finishedAt] as [number, number]);
    expect(maxOverlap(spans)).toBe(2);
  });

  it('says a task waits for its type limit, in its view and in /stats', async () => {
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 3 }, () => ({ type: 'sleep', payload: { ms: 2000 } })),
    });
    const ids: string[] = res.body.tasks.map((t: { id: string }) => t.id);
    const views = await waitFor(
      async () => Promise.all(ids.map(async (id) => (await cluster.get(`/tasks/${id}`)).body)),
      (vs) => vs.filter((v) => v.state === 'running').length === 2,
      { what: 'two of three to run' },
    );
    const waiting = views.find((v) => v.state === 'queued');
    expect(waiting.waitingReason).toBe('type limit reached (TYPE_LIMITS)');
    const stats = (await cluster.get('/stats')).body;
    expect(stats.waiting.byType.sleep).toEqual({ 'type limit reached (TYPE_LIMITS)': 1 });
    await cluster.waitForTasks(ids);
  });

  it('starts at most maxStartsPerSecond tasks of the type in any one second', async () => {
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 9 }, (_, i) => ({ type: 'echo', payload: i })),
    });
    const views = await cluster.waitForTasks(res.body.tasks.map((t: { id: string }) => t.id));
    const perSecond = new Map<number, number>();
    for (const v of views) {
      const second = Math.floor(v.history[0].assignedAt / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(3);
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
  });
});
