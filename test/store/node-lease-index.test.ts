import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

/** A lease's score in nl:<node> is LEASE_TOP minus its deadline (lease_score, _prelude.lua). */
const LEASE_TOP = 1e14;

describe("a node's lease index nl:<node> (real Redis)", () => {
  let f: StoreFixture;
  let lease: string;
  const t0 = Date.now();

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  async function queued(n: number, timeoutMs = 10_000): Promise<string[]> {
    const outcomes = await f.tasks.submit(Array.from({ length: n }, () => f.spec({ timeoutMs })));
    return outcomes.map((o) => o.id);
  }

  async function assignTo(node: string, inc: number, ids: string[], now: number) {
    const results = await f.tasks.assign(
      lease,
      ids.map((taskId) => ({ taskId, nodeId: node, incarnation: inc })),
      now,
    );
    return results.map((r) => {
      if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
      return r.lease;
    });
  }

  const deadlineOf = (now: number, timeoutMs: number) => now + timeoutMs + f.config.leaseGraceMs;

  it('scores a lease 1e14 minus its deadline, so the newest lease comes first', async () => {
    const inc = await f.nodes.register(f.registration('n1', 8), t0);
    const [a, b] = await queued(2);
    await assignTo('n1', inc, [a], t0);
    await assignTo('n1', inc, [b], t0 + 1000);

    expect(await f.redis.zrange(f.keys.nodeLeases('n1'), 0, -1, 'WITHSCORES')).toEqual([
      b,
      String(LEASE_TOP - deadlineOf(t0 + 1000, 10_000)),
      a,
      String(LEASE_TOP - deadlineOf(t0, 10_000)),
    ]);
    // the worker's recovery read lists the oldest lease (the nearest deadline) first
    expect(await f.tasks.leasedTo('n1')).toEqual([a, b]);
  });

  it('scores a lease taken from a standby hint the same way', async () => {
    const inc = await f.nodes.register(f.registration('n1', 1), t0);
    const [running, hinted] = await queued(2);
    const [runningLease] = await assignTo('n1', inc, [running], t0);
    const { hinted: written } = await f.tasks.assignAndHint(lease, [], t0, new Map(), undefined, {
      hints: [{ taskId: hinted, nodeId: 'n1', incarnation: inc }],
      ttlMs: 60_000,
      depth: 1,
    });
    expect(written).toEqual([true]);

    const now = t0 + 500;
    const { assigned } = await f.tasks.finishAndRefill(
      'n1',
      inc,
      [{ taskId: running, lease: runningLease, startedAt: t0, resultJson: '1', retry, random: 0 }],
      now,
    );
    expect(assigned.map((t) => t.id)).toEqual([hinted]);
    expect(await f.redis.zscore(f.keys.nodeLeases('n1'), hinted)).toBe(
      String(LEASE_TOP - deadlineOf(now, 10_000)),
    );
  });

  it('reclaims expired leases of either scoring: 1e14 minus the deadline, or the deadline itself as an older version wrote it', async () => {
    const inc = await f.nodes.register(f.registration('n1', 8), t0);
    const [late, lateOld, fresh, freshOld] = await queued(4, 100);
    const leases = await assignTo('n1', inc, [late, lateOld, fresh, freshOld], t0);
    const deadline = deadlineOf(t0, 100);
    // two of them as the lease index held them before lease_score: scored by their deadline
    await f.redis.zadd(f.keys.nodeLeases('n1'), deadline, lateOld, deadline + 60_000, freshOld);
    await f.redis.zadd(f.keys.nodeLeases('n1'), LEASE_TOP - deadline - 60_000, fresh);

    expect(await f.tasks.reclaimExpired(lease, 100, deadline - 1)).toEqual([]);
    const out = await f.tasks.reclaimExpired(lease, 100, deadline);
    expect(out).toEqual(
      expect.arrayContaining([
        { node: 'n1', taskId: late, lease: leases[0], outcome: 'queued' },
        { node: 'n1', taskId: lateOld, lease: leases[1], outcome: 'queued' },
      ]),
    );
    expect(out).toHaveLength(2);
    expect((await f.tasks.get(fresh)).state).toBe('assigned');
    expect((await f.tasks.get(freshOld)).state).toBe('assigned');
    expect(await f.redis.zrange(f.keys.nodeLeases('n1'), 0, -1)).toEqual([freshOld, fresh]);
    expect((await f.nodes.get('n1')).used.slots).toBe(2);
  });

  it('reclaims at most the given number of expired leases, whichever scoring holds them', async () => {
    const inc = await f.nodes.register(f.registration('n1', 8), t0);
    const ids = await queued(4, 100);
    await assignTo('n1', inc, ids, t0);
    const deadline = deadlineOf(t0, 100);
    await f.redis.zadd(f.keys.nodeLeases('n1'), deadline, ids[0], deadline, ids[1]);

    expect(await f.tasks.reclaimExpired(lease, 3, deadline + 1)).toHaveLength(3);
    expect(await f.tasks.reclaimExpired(lease, 3, deadline + 1)).toHaveLength(1);
    expect(await f.redis.exists(f.keys.nodeLeases('n1'))).toBe(0);
  });
});
