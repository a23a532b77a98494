import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** Workers of different labels and sizes: selectors and resource fit decide where tasks run. */
describe('placement by selectors and resources', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [
        {
          id: 'eu-a100',
          slots: 4,
          labels: 'zone=eu,gpu=a100',
          env: { WORKER_CPU_MILLICORES: '8000', WORKER_MEMORY_MB: '16384' },
        },
        {
          id: 'eu-t4',
          slots: 4,
          labels: 'zone=eu,gpu=t4',
          env: { WORKER_CPU_MILLICORES: '2000', WORKER_MEMORY_MB: '2048' },
        },
        {
          id: 'us-cpu',
          slots: 8,
          labels: 'zone=us',
          env: { WORKER_CPU_MILLICORES: '4000', WORKER_MEMORY_MB: '4096' },
        },
      ],
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  async function runAll(tasks: object[]): Promise<any[]> {
    const res = await cluster.post('/tasks/batch', { tasks });
    expect(res.status).toBe(201);
    return cluster.waitForTasks(res.body.tasks.map((t: { id: string }) => t.id));
  }

  const nodeOf = (view: any): string => view.history[view.history.length - 1].node;

  it.each([
    ['an exact label', { zone: 'us' }, ['us-cpu']],
    ['an In list', { gpu: { in: ['a100', 'h100'] } }, ['eu-a100']],
    ['a NotIn list', { zone: { notIn: ['us'] } }, ['eu-a100', 'eu-t4']],
    ['exact and NotIn together', { zone: 'eu', gpu: { notIn: ['a100'] } }, ['eu-t4']],
  ])('runs tasks only on nodes matching %s', async (_what, labels, allowed) => {
    const views = await runAll(
      Array.from({ length: 12 }, (_, i) => ({
        type: 'sleep',
        payload: { ms: 20 + i },
        requirements: { labels },
      })),
    );
    for (const v of views) {
      expect(v.state).toBe('succeeded');
      expect(allowed).toContain(nodeOf(v));
    }
  });

  it('runs a task only where its memory and cpu fit', async () => {
    const views = await runAll([
      ...Array.from({ length: 6 }, () => ({
        type: 'sleep',
        payload: { ms: 30 },
        requirements: { memoryMb: 8000 },
      })),
      ...Array.from({ length: 6 }, () => ({
        type: 'sleep',
        payload: { ms: 30 },
        requirements: { cpu: 3000, memoryMb: 3000 },
      })),
    ]);
    for (const v of views.slice(0, 6)) expect(nodeOf(v)).toBe('eu-a100');
    for (const v of views.slice(6)) expect(['eu-a100', 'us-cpu']).toContain(nodeOf(v));
  });

  it('never runs more than a node has room for at once', async () => {
    // 3000 millicores each: eu-a100 fits two at a time, us-cpu one, eu-t4 none
    const views = await runAll(
      Array.from({ length: 9 }, () => ({
        type: 'sleep',
        payload: { ms: 150 },
        requirements: { cpu: 3000 },
      })),
    );
    const byNode = new Map<string, [number, number][]>();
    for (const v of views) {
      const a = v.history[v.history.length - 1];
      byNode.set(a.node, [...(byNode.get(a.node) ?? []), [a.assignedAt, a.endedAt]]);
    }
    expect(byNode.has('eu-t4')).toBe(false);
    const maxOverlap = (spans: [number, number][]): number =>
      Math.max(...spans.map(([s]) => spans.filter(([s2, e2]) => s2 <= s && s < e2).length));
    expect(maxOverlap(byNode.get('eu-a100') ?? [])).toBeLessThanOrEqual(2);
    expect(maxOverlap(byNode.get('us-cpu') ?? [])).toBeLessThanOrEqual(1);
  });

  it('keeps the same affinity key on the same node while it has room', async () => {
    const nodes = new Set<string>();
    // three rounds of three: within the smallest node's four slots, so the owner always has room
    for (let round = 0; round < 3; round++) {
      const views = await runAll(
        Array.from({ length: 3 }, (_, i) => ({
          type: 'echo',
          payload: { round, i },
          strategy: 'affinity',
          affinityKey: 'customer-7',
        })),
      );
      views.forEach((v) => nodes.add(nodeOf(v)));
    }
    expect(nodes.size).toBe(1);
  });

  it('lets a task that cannot run wait without blocking the others, and says why', async () => {
    const stuck = await cluster.post('/tasks/batch', {
      tasks: [
        { type: 'echo', priority: 5, requirements: { labels: { zone: 'mars' } } },
        { type: 'echo', priority: 5, requirements: { memoryMb: 1_000_000 } },
        { type: 'never.handled', priority: 1 },
      ],
    });
    const [selector, tooLarge, unhandled] = stuck.body.tasks.map((t: { id: string }) => t.id);
    // the tasks behind them (lower priority, same type) still run
    const behind = await runAll(
      Array.from({ length: 5 }, (_, i) => ({ type: 'echo', payload: { i }, priority: 0 })),
    );
    expect(behind.every((v) => v.state === 'succeeded')).toBe(true);

    expect((await cluster.get(`/tasks/${selector}`)).body).toMatchObject({
      state: 'queued',
      waitingReason: 'selector matches no node',
    });
    expect((await cluster.get(`/tasks/${tooLarge}`)).body).toMatchObject({
      state: 'queued',
      waitingReason: 'no node is large enough',
    });
    expect((await cluster.get(`/tasks/${unhandled}`)).body).toMatchObject({
      state: 'queued',
      waitingReason: 'no node handles type never.handled',
    });

    const stats = await waitFor(
      () => cluster.get('/stats'),
      (r) => r.status === 200 && r.body.waiting.queued === 3,
      { what: '/stats to count the three waiting tasks' },
    );
    expect(stats.body.waiting.byReason).toEqual({
      'selector matches no node': 1,
      'no node is large enough': 1,
      'no node handles type never.handled': 1,
    });
    expect(stats.body.waiting.byType).toEqual({
      echo: { 'selector matches no node': 1, 'no node is large enough': 1 },
      'never.handled': { 'no node handles type never.handled': 1 },
    });
    expect(stats.body.waiting.byPriority).toEqual({ '5': 2, '1': 1 });
    expect(stats.body.nodes).toMatchObject({ alive: 3, dead: 0 });
    expect(stats.body.queues).toEqual([
      { type: 'echo', depth: 2 },
      { type: 'never.handled', depth: 1 },
    ]);
  });
});
