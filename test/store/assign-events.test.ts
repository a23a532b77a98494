import { decodeEntry, EventStore } from '@switchyard/core';
import { StoreFixture, useLeadingFixture } from '../support/store-fixture';

describe("the 'assigned' events of an assign pass (real Redis)", () => {
  let f: StoreFixture;
  let lease: string;

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  it('writes them in one stream entry, node by node, each node in queue order', async () => {
    const inc1 = await f.nodes.register(f.registration('n1', 4));
    const inc2 = await f.nodes.register(f.registration('n2', 4));
    const ids = (await f.tasks.submit([1, 2, 3, 4].map(() => f.spec()))).map((o) => o.id);
    const events = new EventStore(f.redis, f.keys);
    const before = await events.lastId();

    // queue order alternates the nodes
    const results = await f.tasks.assign(
      lease,
      ids.map((taskId, i) => ({
        taskId,
        nodeId: i % 2 === 0 ? 'n1' : 'n2',
        incarnation: i % 2 === 0 ? inc1 : inc2,
      })),
    );
    expect(results.every((r) => r.ok)).toBe(true);

    const entries = await events.after(before, 10);
    expect(entries).toHaveLength(1);
    // one group per node: n1's tasks, then n2's
    expect(JSON.parse(entries[0].body)).toHaveLength(2);
    expect(decodeEntry(entries[0]).map((e) => [e.subject, e.state, e.type, e.node])).toEqual([
      [ids[0], 'assigned', 'echo', 'n1'],
      [ids[2], 'assigned', 'echo', 'n1'],
      [ids[1], 'assigned', 'echo', 'n2'],
      [ids[3], 'assigned', 'echo', 'n2'],
    ]);
  });
});
