import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

/** TYPE_LIMITS at the script level: assign.lua re-checks them atomically, whatever the planner thought. */
describe('cluster-wide type limits in Redis', () => {
  let f: StoreFixture;
  let lease: string;
  let inc: number;

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  beforeEach(async () => {
    inc = await f.nodes.register(f.registration('n1', 100));
  });

  async function queued(n: number): Promise<string[]> {
    return (await f.tasks.submit(Array.from({ length: n }, () => f.spec()))).map((o) => o.id);
  }

  const decide = (ids: string[]) =>
    ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc }));

  it('commits at most maxRunning leases of the type, then more as leases end', async () => {
    const ids = await queued(5);
    const limits = new Map([['echo', { maxRunning: 2 }]]);
    const first = await f.tasks.assign(lease, decide(ids), Date.now(), limits);
    expect(first.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'ok',
      'ok',
      'limit',
      'limit',
      'limit',
    ]);
    expect((await f.tasks.typeLoad(['echo'])).get('echo')?.running).toBe(2);

    const done = first[0];
    if (!done.ok) throw new Error('first not assigned');
    await f.tasks.finish('n1', inc, [
      { taskId: done.taskId, lease: done.lease, startedAt: 1, resultJson: '1', retry, random: 0 },
    ]);
    expect((await f.tasks.typeLoad(['echo'])).get('echo')?.running).toBe(1);

    const second = await f.tasks.assign(lease, decide(ids.slice(2)), Date.now(), limits);
    expect(second.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'limit', 'limit']);
  });

  it('commits at most maxStartsPerSecond starts of the type within one second', async () => {
    const ids = await queued(4);
    const limits = new Map([['echo', { maxStartsPerSecond: 3 }]]);
    const second = Math.floor(Date.now() / 1000) * 1000 + 100;
    const results = await f.tasks.assign(lease, decide(ids), second, limits);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'ok', 'ok', 'limit']);
    expect((await f.tasks.typeLoad(['echo'], second + 500)).get('echo')?.startsThisSecond).toBe(3);
    // the next second has a fresh budget
    const [next] = await f.tasks.assign(lease, decide(ids.slice(3)), second + 1000, limits);
    expect(next.ok).toBe(true);
  });

  it('stops counting a lease once its deadline has passed, even if no script ended it', async () => {
    const ids = await queued(2);
    const limits = new Map([['echo', { maxRunning: 1 }]]);
    const now = Date.now();
    const [a, b] = await f.tasks.assign(lease, decide(ids), now, limits);
    expect([a.ok, b.ok]).toEqual([true, false]);
    const deadline = now + 10_000 + f.config.leaseGraceMs;
    expect((await f.tasks.typeLoad(['echo'], deadline + 1)).get('echo')?.running).toBe(0);
  });

  it('does not limit types without an entry', async () => {
    const ids = await queued(3);
    const results = await f.tasks.assign(
      lease,
      decide(ids),
      Date.now(),
      new Map([['other', { maxRunning: 1 }]]),
    );
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
