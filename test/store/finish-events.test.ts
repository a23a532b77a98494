import { decodeEntry, EventStore } from '@switchyard/core';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

/**
 * finish.lua writes the 'succeeded' events of its fast path per run of one type (emit_run) and
 * any other event in between: the events of a batch stay in the reports' order.
 */
describe('the events of a finish batch (real Redis)', () => {
  let f: StoreFixture;
  let lease: string;

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  it('writes them in one stream entry in report order, successes grouped per run of one type', async () => {
    const inc = await f.nodes.register(f.registration('n1', 8));
    const types = ['echo', 'echo', 'other', 'echo', 'echo', 'echo'];
    const ids = (await f.tasks.submit(types.map((type) => f.spec({ type })))).map((o) => o.id);
    const leased = await f.tasks.assign(
      lease,
      ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc })),
    );
    const leases = leased.map((r) => {
      if (!r.ok) throw new Error(r.reason);
      return r.lease;
    });
    const events = new EventStore(f.redis, f.keys);
    const before = await events.lastId();

    const ok = (i: number) => ({
      taskId: ids[i],
      lease: leases[i],
      startedAt: 1,
      resultJson: '1',
      retry,
      random: 0,
    });
    const out = await f.tasks.finish('n1', inc, [
      ok(0),
      ok(1),
      ok(2),
      { ...ok(3), resultJson: undefined, error: { message: 'again', retryable: true } },
      // a stale report writes nothing, and the run around it goes on
      ok(4),
      { ...ok(5), lease: leases[5] + 1 },
      ok(5),
    ]);
    expect(out).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'delayed',
      'succeeded',
      'stale',
      'succeeded',
    ]);

    const entries = await events.after(before, 10);
    expect(entries).toHaveLength(1);
    expect(decodeEntry(entries[0]).map((e) => [e.subject, e.state, e.type, e.node])).toEqual([
      [ids[0], 'succeeded', 'echo', undefined],
      [ids[1], 'succeeded', 'echo', undefined],
      [ids[2], 'succeeded', 'other', undefined],
      [ids[3], 'delayed', 'echo', 'n1'],
      [ids[4], 'succeeded', 'echo', undefined],
      [ids[5], 'succeeded', 'echo', undefined],
    ]);
    // groups: echo ×2, other, delayed, echo ×2 (the stale report between 4 and 5 opens none)
    expect(JSON.parse(entries[0].body)).toHaveLength(4);
  });
});
