import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

// these tests start real processes and wait on real failure thresholds
jest.setTimeout(180_000);

describe('a worker paused (SIGSTOP) past the dead threshold, then resumed', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [
        { id: 'steady', slots: 4 },
        { id: 'sleeper', slots: 4, labels: 'role=sleeper' },
      ],
    });
  });

  afterAll(async () => {
    cluster.workers.get('sleeper')?.signal('SIGCONT');
    await cluster.stop();
  });

  it('rejects its late reports as stale, keeps final states consistent, and rejoins as a new incarnation', async () => {
    const sleeper = cluster.workers.get('sleeper')!;
    const before = await cluster.waitForNode('sleeper', (n) => n.status === 'alive');
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 8 }, (_, i) => ({
        type: 'sleep',
        payload: { ms: 1500 + i },
        maxAttempts: 3,
      })),
    });
    const ids: string[] = res.body.tasks.map((t: any) => t.id);
    await waitFor(
      () => Promise.all(ids.map(async (id) => (await cluster.get(`/tasks/${id}`)).body)),
      (views) => views.some((v) => v.state === 'running' && v.node === 'sleeper'),
      { what: 'a task running on the sleeper' },
    );

    sleeper.signal('SIGSTOP');
    await cluster.waitForNode('sleeper', (n) => n.status === 'dead');
    const settled = await cluster.waitForTasks(ids, ['succeeded', 'failed', 'cancelled']);
    for (const v of settled) expect(v.state).toBe('succeeded');
    const onSleeper = settled.filter((v) => v.history.some((h: any) => h.node === 'sleeper'));
    expect(onSleeper.length).toBeGreaterThan(0);
    for (const v of onSleeper) {
      expect(v.history[0]).toMatchObject({
        node: 'sleeper',
        incarnation: before.incarnation,
        outcome: 'lost',
      });
      expect(v.history[v.history.length - 1]).toMatchObject({
        node: 'steady',
        outcome: 'succeeded',
      });
    }

    sleeper.signal('SIGCONT');
    const rejoined = await cluster.waitForNode(
      'sleeper',
      (n) => n.incarnation > before.incarnation && n.status === 'alive',
    );
    expect(rejoined.incarnation).toBe(before.incarnation + 1);
    // its handlers finished on resume; the registry refused those reports
    const health = await waitFor(
      // the terminus readiness report: the node indicator carries the worker's own figures
      async (): Promise<any> =>
        ((await (await fetch(`${sleeper.url}/health/ready`)).json()) as any).details?.node,
      (node: any) => node?.incarnation === rejoined.incarnation && node.staleReports > 0,
      { what: 'the resumed worker to see its late reports rejected' },
    );
    expect(health.running).toBe(0);
    expect(sleeper.logsMatching(/rejected: stale/).length).toBeGreaterThan(0);

    // the late reports changed nothing
    const after = await Promise.all(
      ids.map(async (id) => (await cluster.get(`/tasks/${id}`)).body),
    );
    expect(after.map((v) => [v.state, v.result, v.history])).toEqual(
      settled.map((v) => [v.state, v.result, v.history]),
    );
    expect(Number(await cluster.redis.hget(cluster.key('stats'), 'succeeded'))).toBe(ids.length);

    // the new incarnation starts empty and takes only new work
    const fresh = await cluster.post('/tasks', {
      type: 'echo',
      payload: 'hi',
      requirements: { labels: { role: 'sleeper' } },
    });
    const [view] = await cluster.waitForTasks([fresh.body.id]);
    expect(view).toMatchObject({
      state: 'succeeded',
      history: [{ node: 'sleeper', incarnation: rejoined.incarnation }],
    });
  });
});
