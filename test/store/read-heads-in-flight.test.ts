import type { HeadsInFlight } from '@switchyard/core';
import { StoreFixture, useLeadingFixture } from '../support/store-fixture';

/** The read a leader sends ahead of its commit: past the heads that commit takes, or from the front. */
describe('read-heads with a commit in flight (real Redis)', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, value) => {
    f = fixture;
    lease = value;
  });
  const opts = { maxPromotions: 10, maxTypes: 10 };

  async function queued(n: number, priority = 0): Promise<string[]> {
    const outcomes = await f.tasks.submit(Array.from({ length: n }, () => f.spec({ priority })));
    return outcomes.map((o) => o.id);
  }

  const taking = (ids: string[]): Map<string, HeadsInFlight> =>
    new Map([['echo', { count: ids.length, first: ids[0], last: ids[ids.length - 1] }]]);

  async function readIds(limit: number, inFlight: Map<string, HeadsInFlight>): Promise<string[]> {
    const read = await f.tasks.readHeads(
      new Map([['echo', limit]]),
      opts,
      Date.now(),
      undefined,
      inFlight,
    );
    return read.heads.map((h) => h.id);
  }

  it('reads past the heads in flight while the queue starts with them', async () => {
    const ids = await queued(6);
    expect(await readIds(2, taking(ids.slice(0, 3)))).toEqual(ids.slice(3, 5));
  });

  it('reads from the front once that commit ran (its heads are gone)', async () => {
    const ids = await queued(6);
    const inc = await f.nodes.register(f.registration('n1', 10));
    const decisions = ids.slice(0, 2).map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc }));
    expect((await f.tasks.assign(lease, decisions)).every((r) => r.ok)).toBe(true);
    // the front moved: read from it, as many more as were in flight (none of them is left)
    expect(await readIds(2, taking(ids.slice(0, 2)))).toEqual(ids.slice(2, 6));
  });

  it('reads from the front, the heads in flight among them, when a task went ahead of them', async () => {
    const ids = await queued(5);
    const [urgent] = await queued(1, 100);
    // the leader drops the ones it has in flight (ids 0 and 1): urgent and ids 2 and 3 remain
    expect(await readIds(2, taking(ids.slice(0, 2)))).toEqual([urgent, ...ids.slice(0, 3)]);
  });

  it('reads from the front when a task in flight left the queue and another took its place', async () => {
    const ids = await queued(5);
    await f.tasks.cancel(ids[0]);
    const [urgent] = await queued(1, 100);
    expect(await readIds(1, taking(ids.slice(0, 2)))).toEqual([urgent, ids[1], ids[2]]);
  });
});
