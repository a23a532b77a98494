import { Redis } from 'ioredis';
import type { AssignedTask, TaskSpec } from '@switchyard/core';
import { SHARED_REDIS_URL } from '../support/redis-server';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';
import { waitFor } from '../support/wait-for';

const TTL = 5000;

describe('standby hints: written by assign.lua, taken by finish.lua (real Redis)', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  async function queued(n: number, overrides: Partial<TaskSpec> = {}): Promise<string[]> {
    const outcomes = await f.tasks.submit(Array.from({ length: n }, () => f.spec(overrides)));
    return outcomes.map((o) => o.id);
  }

  /** A node of `slots` slots running `running` tasks (their leases returned). */
  async function busyNode(node: string, slots: number, running: number) {
    const inc = await f.nodes.register(f.registration(node, slots));
    const ids = await queued(running);
    const results = await f.tasks.assign(
      lease,
      ids.map((taskId) => ({ taskId, nodeId: node, incarnation: inc })),
    );
    const leases = results.map((r) => {
      if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
      return { id: r.taskId, lease: r.lease };
    });
    return { inc, leases };
  }

  async function hint(node: string, inc: number, ids: string[], now = Date.now(), depth = 1) {
    const { hinted } = await f.tasks.assignAndHint(lease, [], now, new Map(), undefined, {
      hints: ids.map((taskId) => ({ taskId, nodeId: node, incarnation: inc })),
      ttlMs: TTL,
      depth,
    });
    return hinted;
  }

  /** A successful result of the attempt under `d`'s lease, started at `startedAt`. */
  const okReport = (d: { id: string; lease: number }, startedAt: number) => ({
    taskId: d.id,
    lease: d.lease,
    startedAt,
    resultJson: '1',
    retry,
    random: 0,
  });

  function finishOk(
    node: string,
    inc: number,
    done: { id: string; lease: number }[],
    now = Date.now(),
  ) {
    return f.tasks.finishAndRefill(
      node,
      inc,
      done.map((d) => okReport(d, now)),
      now,
    );
  }

  const idsOf = (tasks: AssignedTask[]) => tasks.map((t) => t.id);
  /** A node's hints in the order it takes them (the list's tail first). */
  const hintIds = async (node: string) =>
    (await f.redis.lrange(f.keys.nodeStandby(node), 0, -1)).map((e) => e.split('|')[0]).reverse();

  /** The finish took nothing, the node's list is empty, and the task still waits in its queue. */
  async function expectNoneTaken(assigned: unknown[], node: string, taskId: string) {
    expect(assigned).toEqual([]);
    expect(await hintIds(node)).toEqual([]);
    expect((await f.tasks.get(taskId)).state).toBe('queued');
  }

  it('leases a hinted task in the finish that frees the slot, as assign would', async () => {
    const { inc, leases } = await busyNode('n1', 2, 2);
    const [c, d] = await queued(2);
    expect(await hint('n1', inc, [c, d])).toEqual([true, true]);
    expect((await f.tasks.get(c)).state).toBe('queued');

    const { outcomes, assigned } = await finishOk('n1', inc, [leases[0]]);
    expect(outcomes).toEqual(['succeeded']);
    expect(assigned).toEqual([
      expect.objectContaining({
        id: c,
        lease: 1,
        attempt: 1,
        type: 'echo',
        slots: 1,
        timeoutMs: 10_000,
      }),
    ]);
    expect(assigned[0].input).toEqual({ hello: 'world', list: [] });
    expect(await f.tasks.get(c)).toMatchObject({
      state: 'assigned',
      lease: { seq: 1, node: 'n1', incarnation: inc },
    });
    expect(await f.redis.zscore(f.keys.queue('echo'), c)).toBeNull();
    expect(await f.redis.zscore(f.keys.nodeLeases('n1'), c)).not.toBeNull();
    expect((await f.nodes.get('n1')).used.slots).toBe(2);
    expect(await hintIds('n1')).toEqual([d]);

    // the refilled task reports under its lease like any other, and frees the slot for d
    const second = await finishOk('n1', inc, [{ id: c, lease: 1 }]);
    expect(second.outcomes).toEqual(['succeeded']);
    expect(idsOf(second.assigned)).toEqual([d]);
    expect(await f.redis.exists(f.keys.nodeStandby('n1'))).toBe(0);
  });

  it('announces what it took and dropped with the capacity in tasks.finished', async () => {
    const { inc, leases } = await busyNode('n1', 1, 1);
    const [gone, c] = await queued(2);
    await hint('n1', inc, [gone]);
    await f.tasks.cancel(gone);
    // the list holds one entry (the node's slot count): c is refused until gone is dropped
    expect(await hint('n1', inc, [c])).toEqual([false]);
    const sub = new Redis(SHARED_REDIS_URL);
    const heard: unknown[] = [];
    try {
      const channel = `${f.keys.base}finished`;
      sub.on('message', (_ch, text: string) => heard.push(JSON.parse(text)));
      await sub.subscribe(channel);
      await f.tasks.finishAndRefill('n1', inc, [okReport(leases[0], 1)], Date.now(), channel);
      await waitFor(
        () => heard.length,
        (n) => n > 0,
        { what: 'the tasks.finished message' },
      );
    } finally {
      sub.disconnect();
    }
    expect(heard[0]).toEqual({
      pattern: 'tasks.finished',
      data: {
        node: 'n1',
        done: [leases[0].id],
        ended: 1,
        freed: { slots: 1, cpu: 0, memoryMb: 0 },
        standby: { took: [], dropped: [gone], slots: 0, cpu: 0, memoryMb: 0 },
        resolving: 0,
      },
    });
  });

  it.each([
    ['cancelled', async (id: string) => void (await f.tasks.cancel(id))],
    [
      'assigned elsewhere',
      async (id: string) => {
        const inc2 = await f.nodes.register(f.registration('n2'));
        await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n2', incarnation: inc2 }]);
      },
    ],
    [
      'under another leader lease',
      async () => void (await f.redis.set(`${f.keys.base}leader`, '99:other')),
    ],
  ])('drops a hint whose task was %s and takes the next one', async (_why, spoil) => {
    const { inc, leases } = await busyNode('n1', 2, 2);
    const [stale, next] = await queued(2);
    await hint('n1', inc, [stale, next]);
    await spoil(stale);
    const leader = await f.redis.get(`${f.keys.base}leader`);
    const { assigned } = await finishOk('n1', inc, [leases[0]]);
    expect(idsOf(assigned)).toEqual(leader === lease ? [next] : []);
    expect(await hintIds('n1')).toEqual([]);
    expect((await f.nodes.get('n1')).used.slots).toBe(leader === lease ? 2 : 1);
    if (leader !== lease) expect((await f.tasks.get(next)).state).toBe('queued');
  });

  it('walks past stale hints to the next one that holds, reading no further than it needs', async () => {
    const { inc, leases } = await busyNode('n1', 3, 3);
    const ids = await queued(3);
    await hint('n1', inc, ids);
    await f.tasks.cancel(ids[0]);
    await f.tasks.cancel(ids[1]);
    const { assigned } = await finishOk('n1', inc, [leases[0]]);
    expect(idsOf(assigned)).toEqual([ids[2]]);
    expect(await f.redis.exists(f.keys.nodeStandby('n1'))).toBe(0);
    expect((await f.nodes.get('n1')).used.slots).toBe(3);
  });

  it('drops every hint of a node that re-registered (another incarnation)', async () => {
    const { inc, leases } = await busyNode('n1', 2, 1);
    const [c] = await queued(1);
    await hint('n1', inc, [c]);
    const inc2 = await f.nodes.register(f.registration('n1', 2));
    // the old incarnation's finish is stale and touches no hint
    const old = await finishOk('n1', inc, [leases[0]]);
    expect(old).toEqual({ outcomes: ['stale'], assigned: [] });
    expect(await hintIds('n1')).toEqual([c]);
    // the new incarnation's finish drops the old incarnation's hint
    const { assigned } = await finishOk('n1', inc2, []);
    await expectNoneTaken(assigned, 'n1', c);
  });

  it('gives a draining node nothing and clears its hints', async () => {
    const { inc, leases } = await busyNode('n1', 2, 2);
    const [c] = await queued(1);
    await hint('n1', inc, [c]);
    await f.nodes.drain('n1', inc);
    const { assigned } = await finishOk('n1', inc, [leases[0]]);
    expect(assigned).toEqual([]);
    expect(await f.redis.exists(f.keys.nodeStandby('n1'))).toBe(0);
    expect((await f.tasks.get(c)).state).toBe('queued');
    expect((await f.nodes.get('n1')).used.slots).toBe(1);
  });

  it('never fills a node past its capacity, and keeps the order: a hint that does not fit waits', async () => {
    const { inc, leases } = await busyNode('n1', 3, 3);
    const [big] = await queued(1, { requirements: { slots: 2, cpu: 0, memoryMb: 0, labels: {} } });
    const [small] = await queued(1);
    expect(await hint('n1', inc, [big, small])).toEqual([true, true]);
    // one slot free: big (2 slots) does not fit and small, behind it, is not taken ahead of it
    const first = await finishOk('n1', inc, [leases[0]]);
    expect(first.assigned).toEqual([]);
    expect(await hintIds('n1')).toEqual([big, small]);
    expect((await f.nodes.get('n1')).used.slots).toBe(2);
    // two free: big fits, then the node is full again
    const second = await finishOk('n1', inc, [leases[1]]);
    expect(idsOf(second.assigned)).toEqual([big]);
    expect(await hintIds('n1')).toEqual([small]);
    expect((await f.nodes.get('n1')).used.slots).toBe(3);
    // all three free: small is taken, in list order, within capacity
    const third = await finishOk('n1', inc, [leases[2], { id: big, lease: 1 }]);
    expect(idsOf(third.assigned)).toEqual([small]);
    expect((await f.nodes.get('n1')).used.slots).toBe(1);
  });

  it('takes several hints in list order up to the capacity freed', async () => {
    const { inc, leases } = await busyNode('n1', 3, 3);
    const ids = await queued(3);
    await hint('n1', inc, ids);
    const { assigned } = await finishOk('n1', inc, leases.slice(0, 2));
    expect(idsOf(assigned)).toEqual(ids.slice(0, 2));
    expect(await hintIds('n1')).toEqual([ids[2]]);
    expect((await f.nodes.get('n1')).used.slots).toBe(3);
  });

  it('bounds a node’s list by its slot count, across calls', async () => {
    const { inc } = await busyNode('n1', 2, 2);
    const ids = await queued(5);
    expect(await hint('n1', inc, ids.slice(0, 3))).toEqual([true, true, false]);
    expect(await hint('n1', inc, ids.slice(3))).toEqual([false, false]);
    expect(await hintIds('n1')).toEqual(ids.slice(0, 2));
  });

  it('bounds a node’s list by STANDBY_DEPTH times its slot count', async () => {
    const { inc } = await busyNode('n1', 2, 2);
    const ids = await queued(5);
    expect(await hint('n1', inc, ids, Date.now(), 2)).toEqual([true, true, true, true, false]);
    expect(await hintIds('n1')).toEqual(ids.slice(0, 4));
  });

  it('writes no hint for a node that is gone, not alive or of another incarnation', async () => {
    const { inc } = await busyNode('n1', 2, 2);
    const ids = await queued(2);
    expect(await hint('n1', inc + 1, [ids[0]])).toEqual([false]);
    expect(await hint('ghost', 1, [ids[1]])).toEqual([false]);
    await f.nodes.drain('n1', inc);
    expect(await hint('n1', inc, [ids[1]])).toEqual([false]);
    expect(await f.redis.exists(f.keys.nodeStandby('n1'))).toBe(0);
  });

  it('lets a hint lapse: the list expires, and a hint past its deadline is dropped', async () => {
    const { inc, leases } = await busyNode('n1', 2, 2);
    const [c] = await queued(1);
    const now = Date.now();
    await hint('n1', inc, [c], now);
    const ttl = await f.redis.pttl(f.keys.nodeStandby('n1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TTL);
    const { assigned } = await finishOk('n1', inc, [leases[0]], now + TTL);
    await expectNoneTaken(assigned, 'n1', c);
  });

  it('leaves the old finish reply as it was without the standby argument', async () => {
    const { inc, leases } = await busyNode('n1', 1, 1);
    const [c] = await queued(1);
    await hint('n1', inc, [c]);
    const outcomes = await f.tasks.finish('n1', inc, [okReport(leases[0], 1)]);
    expect(outcomes).toEqual(['succeeded']);
    expect(await hintIds('n1')).toEqual([c]);
    expect((await f.tasks.get(c)).state).toBe('queued');
  });
});
