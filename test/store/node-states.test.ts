import { decodeNodeState, type TaskSpec } from '@switchyard/core';
import { readClusterState } from '../support/cluster-state';
import { checkConsistency } from '../support/consistency-checker';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

/**
 * The node-state hash (`ns`: node id → incarnation|status|capacity|usage|last completion) is the
 * one place the assign commit reads and every usage or status change writes. Each step below
 * goes through a different script; after each, a node's usage must equal what its leased tasks
 * hold (the consistency checker), and the entry must read back through NodeStore.
 */
describe('node states in one hash, against real Redis', () => {
  let f: StoreFixture;
  let lease: string;
  const t0 = Date.now();

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  async function inStep(): Promise<void> {
    const state = await readClusterState(f.redis, f.keys.base);
    const problems = checkConsistency(state, {
      settled: false,
      finishedListCap: f.config.finishedListCap,
      limitedTypes: [],
    });
    expect(problems).toEqual([]);
    const views = await f.nodes.list();
    const states = await f.nodes.states();
    expect([...states.keys()].sort()).toEqual(views.map((v) => v.id));
    for (const v of views) {
      expect(states.get(v.id)).toMatchObject({
        incarnation: v.incarnation,
        status: v.status,
        capacity: v.capacity,
        used: v.used,
      });
    }
  }

  const raw = async (node: string): Promise<string | null> => f.redis.hget(f.keys.nodeStates, node);

  async function submit(specs: Partial<TaskSpec>[]): Promise<string[]> {
    const out = await f.tasks.submit(
      specs.map((s) => f.spec(s)),
      t0,
    );
    return out.map((o) => o.id);
  }

  it('keeps every node usage equal to its tasks through assign, finish, cancel, reclaim, drain, death and leave', async () => {
    const i1 = await f.nodes.register(f.registration('n1'), t0);
    const i2 = await f.nodes.register(f.registration('n2'), t0);
    expect(await raw('n1')).toBe(`${i1}|alive|4|4000|4096|0|0|0|`);
    await inStep();

    const big = { requirements: { slots: 2, cpu: 500, memoryMb: 256, labels: {} } };
    const ids = await submit([{}, big, {}, big, { timeoutMs: 100 }]);
    // one batch over both nodes: one read and one write of the hash for all of them
    const results = await f.tasks.assign(
      lease,
      ids.map((taskId, k) => ({
        taskId,
        nodeId: k % 2 === 0 ? 'n1' : 'n2',
        incarnation: k % 2 === 0 ? i1 : i2,
      })),
      t0,
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(await raw('n1')).toBe(`${i1}|alive|4|4000|4096|3|0|0|`);
    expect(await raw('n2')).toBe(`${i2}|alive|4|4000|4096|4|1000|512|`);
    await inStep();
    const leases = results.map((r) => (r.ok ? r.lease : 0));

    // finish (n1's first task): usage given back, last completion recorded
    const [done] = await f.tasks.finish(
      'n1',
      i1,
      [{ taskId: ids[0], lease: leases[0], startedAt: t0, resultJson: 'null', retry, random: 0 }],
      t0 + 10,
    );
    expect(done).toBe('succeeded');
    expect(await raw('n1')).toBe(`${i1}|alive|4|4000|4096|2|0|0|${t0 + 10}`);
    expect((await f.nodes.get('n1')).lastCompletionAt).toBe(t0 + 10);
    await inStep();

    // cancel (n2's second big task)
    expect(await f.tasks.cancel(ids[3], t0 + 20)).toMatchObject({ ok: true, node: 'n2' });
    expect((await f.nodes.get('n2')).used).toEqual({ slots: 2, cpu: 500, memoryMb: 256 });
    await inStep();

    // reclaim: the 100 ms task on n1 outlives its lease
    const reclaimed = await f.tasks.reclaimExpired(
      lease,
      100,
      t0 + 100 + f.config.leaseGraceMs + 1,
    );
    expect(reclaimed.map((r) => r.taskId)).toEqual([ids[4]]);
    expect((await f.nodes.get('n1')).used.slots).toBe(1);
    await inStep();

    // drain: status changes, usage stays
    expect(await f.nodes.drain('n2', i2)).toBe(true);
    expect(await raw('n2')).toBe(`${i2}|draining|4|4000|4096|2|500|256|`);
    await inStep();

    // death (n1 stops heartbeating; n2 keeps beating): its tasks back in the queue, usage zero
    expect(await f.nodes.heartbeat('n2', i2, t0 + 4000)).toBe('draining');
    const health = await f.nodes.checkHealth(lease, 0, t0 + 5001);
    expect(health.dead.map((d) => d.id)).toEqual(['n1']);
    expect(await raw('n1')).toBe(`${i1}|dead|4|4000|4096|0|0|0|${t0 + 10}`);
    expect(await f.nodes.heartbeat('n1', i1, t0 + 5002)).toBe('stale');
    await inStep();

    // leave: n2 hands its task back and its entry goes with its description
    expect(await f.nodes.leave('n2', i2, t0 + 5003)).toEqual({ requeued: 1, failed: 0 });
    expect(await raw('n2')).toBeNull();
    expect(await f.redis.exists(f.keys.node('n2'))).toBe(0);
    await inStep();

    // a new incarnation starts from zero usage
    const again = await f.nodes.register(f.registration('n1', 8), t0 + 6000);
    expect(again).toBe(i1 + 1);
    expect(await raw('n1')).toBe(`${again}|alive|8|4000|4096|0|0|0|`);
    await inStep();
  });

  it('re-checks each node of a batch from the hash: status, incarnation and capacity as the batch fills it', async () => {
    const i1 = await f.nodes.register(f.registration('n1', 1), t0);
    const i2 = await f.nodes.register(f.registration('n2', 4), t0);
    const i3 = await f.nodes.register(f.registration('n3', 4), t0);
    expect(await f.nodes.drain('n3', i3)).toBe(true);
    const ids = await submit([{}, {}, {}, {}, {}]);
    const results = await f.tasks.assign(lease, [
      { taskId: ids[0], nodeId: 'n1', incarnation: i1 },
      { taskId: ids[1], nodeId: 'n1', incarnation: i1 }, // n1 has one slot
      { taskId: ids[2], nodeId: 'n2', incarnation: i2 - 1 }, // an old incarnation
      { taskId: ids[3], nodeId: 'n3', incarnation: i3 }, // draining
      { taskId: ids[4], nodeId: 'gone', incarnation: 1 }, // never registered
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'ok',
      'capacity',
      'node',
      'node',
      'node',
    ]);
    expect(await raw('n1')).toBe(`${i1}|alive|1|4000|4096|1|0|0|`);
    expect(await raw('n2')).toBe(`${i2}|alive|4|4000|4096|0|0|0|`);
    expect(await raw('gone')).toBeNull();
    await inStep();
  });

  it('keeps apart the usage of nodes of one incarnation and capacity in one batch', async () => {
    // the commit parses the text the two share (incarnation, status, capacity) once for both
    const i1 = await f.nodes.register(f.registration('n1', 2), t0);
    const i2 = await f.nodes.register(f.registration('n2', 2), t0);
    expect(i2).toBe(i1);
    const ids = await submit([{}, {}, {}, {}]);
    const results = await f.tasks.assign(lease, [
      { taskId: ids[0], nodeId: 'n1', incarnation: i1 },
      { taskId: ids[1], nodeId: 'n2', incarnation: i2 },
      { taskId: ids[2], nodeId: 'n1', incarnation: i1 },
      { taskId: ids[3], nodeId: 'n1', incarnation: i1 }, // n1 is full
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'ok', 'ok', 'capacity']);
    expect(await raw('n1')).toBe(`${i1}|alive|2|4000|4096|2|0|0|`);
    expect(await raw('n2')).toBe(`${i2}|alive|2|4000|4096|1|0|0|`);
    await inStep();
  });

  it('takes a node of the layout before the hash as unknown, and counts its incarnation on', async () => {
    // what the previous release stored: everything in the node's own hash
    await f.redis.hset(f.keys.node('old'), { inc: 5, st: 'alive', cs: 4, us: 1, ty: '["echo"]' });
    await f.redis.sadd(f.keys.nodes, 'old');
    expect(await f.nodes.heartbeat('old', 5, t0)).toBe('stale');
    expect(await f.nodes.register(f.registration('old'), t0)).toBe(6);
    expect(await raw('old')).toBe('6|alive|4|4000|4096|0|0|0|');
    expect(await f.redis.hget(f.keys.node('old'), 'inc')).toBeNull();
    await inStep();
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])(
    'refuses a registration with %p slots, writing nothing',
    async (slots) => {
      const before = await f.snapshot();
      await expect(
        f.nodes.register({ ...f.registration('n1'), capacity: { slots, cpu: 1, memoryMb: 1 } }),
      ).rejects.toThrow(/capacity must be finite non-negative numbers/);
      expect(await f.snapshot()).toEqual(before);
    },
  );
});

describe('decodeNodeState', () => {
  it('reads the nine fields the scripts write', () => {
    expect(decodeNodeState('3|draining|4|4000|4096|1|250|64|1700000000000')).toEqual({
      incarnation: 3,
      status: 'draining',
      capacity: { slots: 4, cpu: 4000, memoryMb: 4096 },
      used: { slots: 1, cpu: 250, memoryMb: 64 },
      lastCompletionAt: 1700000000000,
    });
    expect(decodeNodeState('1|alive|4|1|1|0|0|0|').lastCompletionAt).toBeUndefined();
  });

  it('throws on a value of another shape', () => {
    expect(() => decodeNodeState('1|alive|4')).toThrow(/corrupt node state/);
  });
});
