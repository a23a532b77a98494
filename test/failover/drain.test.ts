import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

// these tests start real processes and wait on real failure thresholds
jest.setTimeout(120_000);

describe('graceful drain and event-loop safety', () => {
  let cluster: TestCluster;

  beforeEach(async () => {
    cluster = await TestCluster.start({ env: { DRAIN_GRACE_MS: '1500' } });
  });

  afterEach(async () => {
    await cluster.stop();
  });

  async function submitSleeps(ms: number, count: number): Promise<string[]> {
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: count }, () => ({
        type: 'sleep',
        payload: { ms },
        maxAttempts: 1,
      })),
    });
    expect(res.status).toBe(201);
    return res.body.tasks.map((t: any) => t.id);
  }

  async function runningOn(node: string, ids: string[]): Promise<void> {
    await waitFor(
      () => Promise.all(ids.map(async (id) => (await cluster.get(`/tasks/${id}`)).body)),
      (views) => views.every((v) => v.state === 'running' && v.node === node),
      { what: `tasks running on ${node}` },
    );
  }

  /** A drained worker: short tasks finished there, long ones handed back (attempt not counted). */
  async function expectDrained(node: string, short: string[], long: string[]): Promise<void> {
    const shortViews = await cluster.waitForTasks(short);
    for (const v of shortViews)
      expect(v).toMatchObject({ state: 'succeeded', history: [{ node, outcome: 'succeeded' }] });
    for (const id of long) {
      const v = (await cluster.get(`/tasks/${id}`)).body;
      // maxAttempts 1: had the hand-back counted, the task would have failed
      expect(v).toMatchObject({ state: 'queued', attempts: 0 });
      expect(v.history).toEqual([expect.objectContaining({ node, outcome: 'handed-back' })]);
    }
    const nodes = (await cluster.get('/nodes')).body.nodes;
    expect(nodes.map((n: any) => n.id)).not.toContain(node);
  }

  it('on SIGTERM stops taking work, finishes what fits in the grace, hands back the rest, leaves, exits 0', async () => {
    const worker = await cluster.startWorker({ id: 'leaving', slots: 4 });
    const short = await submitSleeps(400, 2);
    const long = await submitSleeps(60_000, 2);
    await runningOn('leaving', [...short, ...long]);

    const exited = worker.stop('SIGTERM', 30_000);
    await cluster.waitForNode('leaving', (n) => n.status === 'draining');
    // draining: new work is not given to it
    const later = await submitSleeps(10, 1);
    expect(await exited).toBe(0);
    expect(worker.logsMatching(/2 task\(s\) handed back/)).toHaveLength(1);
    await expectDrained('leaving', short, long);

    // another node picks the handed-back tasks up and runs them to the end
    await cluster.startWorker({ id: 'next', slots: 4 });
    const after = await cluster.waitForTasks([...later], ['succeeded']);
    expect(after[0].history).toEqual([
      expect.objectContaining({ node: 'next', outcome: 'succeeded' }),
    ]);
    await runningOn('next', long);
    const moved = (await cluster.get(`/tasks/${long[0]}`)).body;
    expect(moved).toMatchObject({ state: 'running', node: 'next', attempts: 1 });
  });

  it('drains a node remotely on POST /nodes/:id/drain, the same way', async () => {
    const worker = await cluster.startWorker({ id: 'remote', slots: 4 });
    const short = await submitSleeps(400, 1);
    const long = await submitSleeps(60_000, 1);
    await runningOn('remote', [...short, ...long]);

    const res = await cluster.post('/nodes/remote/drain');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ node: 'remote', status: 'draining' });
    expect(await worker.waitExit()).toBe(0);
    await expectDrained('remote', short, long);

    expect((await cluster.post('/nodes/remote/drain')).status).toBe(404);
  });

  it('keeps heartbeating while an isolated CPU-bound handler computes for 5 s', async () => {
    // NODE_DEAD_AFTER_MS is 2000 here: a blocked event loop would get the node declared dead
    await cluster.startWorker({ id: 'cruncher', slots: 2 });
    const before = await cluster.waitForNode('cruncher', (n) => n.status === 'alive');
    const res = await cluster.post('/tasks', {
      type: 'hash',
      payload: { forMs: 5000, input: 'x' },
      maxAttempts: 1,
    });
    const [view] = await cluster.waitForTasks([res.body.id], ['succeeded', 'failed'], 60_000);
    expect(view.state).toBe('succeeded');
    expect(view.result.rounds).toBeGreaterThan(0);
    expect(view.history).toEqual([
      expect.objectContaining({
        node: 'cruncher',
        incarnation: before.incarnation,
        outcome: 'succeeded',
      }),
    ]);
    const after = await cluster.waitForNode('cruncher', () => true);
    expect(after).toMatchObject({ status: 'alive', incarnation: before.incarnation });
  });

  it('runs an isolated handler with rounds, reports its bad input as non-retryable, and aborts it at timeout', async () => {
    await cluster.startWorker({ id: 'hasher', slots: 2 });
    const ok = await cluster.post('/tasks', { type: 'hash', payload: { rounds: 3, input: 'abc' } });
    const bad = await cluster.post('/tasks', {
      type: 'hash',
      payload: { rounds: -1 },
      maxAttempts: 3,
    });
    const slow = await cluster.post('/tasks', {
      type: 'hash',
      payload: { forMs: 60_000 },
      timeoutMs: 500,
      maxAttempts: 1,
    });
    const [okView, badView, slowView] = await cluster.waitForTasks([
      ok.body.id,
      bad.body.id,
      slow.body.id,
    ]);
    expect(okView).toMatchObject({ state: 'succeeded', result: { rounds: 3 } });
    expect(okView.result.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(badView).toMatchObject({ state: 'failed', attempts: 1, error: { retryable: false } });
    expect(badView.error.message).toMatch(/rounds must be an integer/);
    expect(slowView).toMatchObject({
      state: 'failed',
      error: { code: 'timeout', retryable: true },
    });
  });
});
