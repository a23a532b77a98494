import { Redis } from 'ioredis';
import { StoreFixture } from '../support/store-fixture';
import { waitFor } from '../support/wait-for';

/**
 * assign.lua keeps each node's lease key and channel from call to call (node_text, _nodes.lua):
 * calls under another key prefix or channel base, with the same node id, must not reuse them.
 */
describe("assign.lua's node texts kept across calls (real Redis)", () => {
  const fixtures: StoreFixture[] = [];
  let sub: Redis | undefined;

  afterEach(async () => {
    await sub?.quit();
    sub = undefined;
    for (const f of fixtures.splice(0)) await f.close();
  });

  async function leading(): Promise<{ f: StoreFixture; lease: string }> {
    const f = new StoreFixture();
    fixtures.push(f);
    return { f, lease: (await f.leader.acquire('me', 60_000)) as string };
  }

  async function assignOne(
    { f, lease }: { f: StoreFixture; lease: string },
    inc: number,
    channelBase: string,
  ): Promise<string> {
    const [{ id }] = await f.tasks.submit([f.spec()]);
    const [r] = await f.tasks.assign(
      lease,
      [{ taskId: id, nodeId: 'n1', incarnation: inc }],
      Date.now(),
      new Map(),
      { channelBase, maxBytes: 64 * 1024 },
    );
    expect(r.ok).toBe(true);
    return id;
  }

  it("writes each call's leases under its own key prefix and announces on its own channel base", async () => {
    const a = await leading();
    const b = await leading();
    const incA = await a.f.nodes.register(a.f.registration('n1', 8));
    const incB = await b.f.nodes.register(b.f.registration('n1', 8));
    const channels = [`${a.f.keys.base}one:`, `${a.f.keys.base}two:`];
    const heard: string[] = [];
    sub = new Redis(a.f.redis.options);
    await sub.psubscribe(`${a.f.keys.base}*`);
    sub.on('pmessage', (_p: string, channel: string) => heard.push(channel));

    const taken = [
      await assignOne(a, incA, channels[0]),
      await assignOne(b, incB, channels[1]),
      await assignOne(a, incA, channels[1]),
      await assignOne(b, incB, channels[0]),
    ];

    expect(await a.f.redis.zrevrange(a.f.keys.nodeLeases('n1'), 0, -1)).toEqual([
      taken[0],
      taken[2],
    ]);
    expect(await b.f.redis.zrevrange(b.f.keys.nodeLeases('n1'), 0, -1)).toEqual([
      taken[1],
      taken[3],
    ]);
    await waitFor(
      async () => heard.length,
      (n) => n >= 4,
      { timeoutMs: 10_000, what: 'four node.assigned messages' },
    );
    expect(heard).toEqual([
      `${channels[0]}n1`,
      `${channels[1]}n1`,
      `${channels[1]}n1`,
      `${channels[0]}n1`,
    ]);
  });
});
