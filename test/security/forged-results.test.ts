import { Redis } from 'ioredis';
import { Keyspace, loadConfig, TaskStore, type FinishReport } from '@switchyard/core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** Long enough that every forgery below happens while the real attempt still runs. */
const REAL_MS = 6000;

/** Sum of a counter over its label sets matching `labels` in an exposition text. */
function counter(metrics: string, name: string, labels: string): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * Whoever can publish on the bus can send a well-formed report for a task leased to another
 * node, or for an old lease. Fencing (the lease checked inside the scripts) must make it change
 * nothing: the record, the state indexes and the slot counts stay as they were, and the result
 * that lands is the real worker's.
 */
describe('forged reports', () => {
  let cluster: TestCluster;
  let raw: Redis;
  let store: TaskStore;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: [{ slots: 2 }, { slots: 2 }] });
    raw = new Redis(cluster.redisUrl, { maxRetriesPerRequest: 1 });
    store = new TaskStore(cluster.redis, new Keyspace(cluster.prefix), loadConfig({}));
  });

  afterAll(async () => {
    await raw?.quit();
    await cluster?.stop();
  });

  /** What a forged report could corrupt: the record, every index holding the task, slot counts. */
  async function state(id: string, nodes: string[]): Promise<unknown> {
    const r = cluster.redis;
    const nodeList = (await cluster.get('/nodes')).body.nodes as {
      id: string;
      used: { slots: number };
    }[];
    return {
      record: await r.get(cluster.key(`t:${id}`)),
      leases: await Promise.all(
        nodes.map((n) => r.zrange(cluster.key(`nl:${n}`), 0, -1, 'WITHSCORES')),
      ),
      failed: await r.zscore(cluster.key('failed'), id),
      delayed: await r.zscore(cluster.key('delayed'), id),
      queued: await r.zscore(cluster.key('q:sleep'), id),
      finished: await r.lpos(cluster.key('done'), id),
      counters: await r.hgetall(cluster.key('counters')),
      slots: nodes.map((n) => nodeList.find((x) => x.id === n)?.used.slots),
    };
  }

  it('changes nothing with reports for a task leased to another node or with a stale lease', async () => {
    const res = await cluster.post('/tasks', { type: 'sleep', payload: { ms: REAL_MS } });
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    const running = await waitFor(
      async () => (await cluster.get(`/tasks/${id}`)).body,
      (v) => v.state === 'running',
      { what: 'the task running' },
    );
    const owner: string = running.lease.node;
    const other = [...cluster.workers.keys()].find((w) => w !== owner)!;
    const { seq: lease, incarnation } = running.lease;
    const otherNode = await cluster.waitForNode(other, () => true);
    const before = await state(id, [owner, other]);

    // 1. the store directly, as a forger with Redis access would: wrong node, wrong lease
    const report = (over: Partial<FinishReport>): FinishReport => ({
      taskId: id,
      lease,
      startedAt: Date.now(),
      resultJson: '{"forged":true}',
      retry: { backoff: 'fixed', baseMs: 0, capMs: 0, jitter: 0 },
      random: 0,
      ...over,
    });
    expect(await store.finish(other, otherNode.incarnation, [report({})])).toEqual(['stale']);
    expect(await store.finish(owner, incarnation, [report({ lease: lease + 1 })])).toEqual([
      'stale',
    ]);
    expect(await store.finish(owner, incarnation, [report({ lease: lease - 1 })])).toEqual([
      'stale',
    ]);
    expect(await store.finish(owner, incarnation + 1, [report({})])).toEqual(['stale']);
    expect(
      await store.finish(owner, incarnation, [
        report({ lease: lease + 1, error: { message: 'forged', retryable: false } }),
      ]),
    ).toEqual(['stale']);
    expect(
      await store.progress(other, otherNode.incarnation, [
        { taskId: id, lease, percent: 99, dataJson: '{"forged":true}' },
      ]),
    ).toEqual(['stale']);
    expect(
      await store.start(other, otherNode.incarnation, [{ taskId: id, lease, startedAt: 1 }]),
    ).toEqual(['stale']);

    // 2. the bus: an assignment of the task to the other node (it runs it, and its reports are
    // refused), a stale re-assignment and a stale cancel to the owner, a finished notice
    const forgedTask = {
      id,
      lease,
      attempt: 1,
      type: 'sleep',
      timeoutMs: 60_000,
      payload: '{"ms":0}',
      slots: 1,
      cpu: 0,
      memoryMb: 0,
    };
    const publish = (channel: string, pattern: string, data: unknown): Promise<number> =>
      raw.publish(`${cluster.prefix}:${channel}`, JSON.stringify({ pattern, data }));
    expect(
      await publish(`node.assigned:${other}`, 'node.assigned', {
        node: other,
        incarnation: otherNode.incarnation,
        tasks: [forgedTask],
      }),
    ).toBe(1);
    expect(
      await publish(`node.assigned:${owner}`, 'node.assigned', {
        node: owner,
        incarnation,
        tasks: [{ ...forgedTask, lease: lease - 1 }],
      }),
    ).toBe(1);
    expect(
      await publish(`node.cancel:${owner}`, 'node.cancel', {
        node: owner,
        tasks: [{ id, lease: lease - 1 }],
      }),
    ).toBe(1);
    expect(
      await publish('tasks.finished', 'tasks.finished', {
        node: other,
        done: [id],
        ended: 1,
        freed: { slots: 1000, cpu: 1_000_000, memoryMb: 1_000_000 },
      }),
    ).toBeGreaterThanOrEqual(1);

    // the other node ran the forged assignment and Redis refused its start and its result
    const otherWorker = cluster.workers.get(other)!;
    await waitFor(
      async () => (await cluster.requestTo(otherWorker, 'GET', '/metrics')).body as string,
      (text) => counter(text, 'switchyard_reports_rejected_total', 'reason="stale"') >= 1,
      { what: `the forged assignment's result refused on ${other}` },
    );
    expect(
      otherWorker.logsMatching(new RegExp(`task ${id} rejected: stale`)).length,
    ).toBeGreaterThanOrEqual(1);

    const during = await cluster.get(`/tasks/${id}`);
    expect(during.body.state).toBe('running');
    expect(await state(id, [owner, other])).toEqual(before);

    // the real attempt was neither cancelled nor replaced: its result is the one that lands
    const [done] = await cluster.waitForTasks([id]);
    expect(done.state).toBe('succeeded');
    expect(done.result).toEqual({ slept: REAL_MS });
    expect(done.history).toHaveLength(1);
    expect(done.history[0]).toMatchObject({ node: owner, lease, outcome: 'succeeded' });
    const after = await cluster.get('/nodes');
    for (const n of after.body.nodes) expect(n.used.slots).toBe(0);
  });

  it('does not let the leader over-assign after a forged notice of freed capacity', async () => {
    const nodes = [...cluster.workers.keys()];
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push((await cluster.post('/tasks', { type: 'sleep', payload: { ms: 60_000 } })).body.id);
    await waitFor(
      async () => (await cluster.get('/nodes')).body.nodes as { used: { slots: number } }[],
      (all) => all.every((n) => n.used.slots === 2),
      { what: 'both nodes full' },
    );
    for (const node of nodes)
      await raw.publish(
        `${cluster.prefix}:tasks.finished`,
        JSON.stringify({
          pattern: 'tasks.finished',
          data: { node, done: [], ended: 2, freed: { slots: 1000, cpu: 0, memoryMb: 0 } },
        }),
      );
    // cancelling one running task frees one real slot: the leader's next pass plans with the
    // forged capacity too, and the assign script must let exactly one queued task in
    const before = await Promise.all(
      ids.map(async (id) => (await cluster.get(`/tasks/${id}`)).body),
    );
    const victim = before.find((v) => v.state === 'running' || v.state === 'assigned').id;
    const queued = before.filter((v) => v.state === 'queued').map((v) => v.id);
    expect(queued).toHaveLength(2);
    expect((await cluster.post(`/tasks/${victim}/cancel`)).status).toBeLessThan(300);
    await waitFor(
      async () =>
        Promise.all(queued.map(async (id) => (await cluster.get(`/tasks/${id}`)).body.state)),
      (states) => states.some((st) => st !== 'queued'),
      { what: 'a queued task taking the freed slot' },
    );
    const views = await Promise.all(
      ids.map(async (id) => (await cluster.get(`/tasks/${id}`)).body),
    );
    expect(views.filter((v) => v.state === 'running' || v.state === 'assigned')).toHaveLength(4);
    expect(views.filter((v) => v.state === 'queued')).toHaveLength(1);
    const after = (await cluster.get('/nodes')).body.nodes as { used: { slots: number } }[];
    expect(after.map((n) => n.used.slots)).toEqual([2, 2]);
    for (const v of views.filter((x) => x.state !== 'cancelled'))
      await cluster.post(`/tasks/${v.id}/cancel`);
  });
});
