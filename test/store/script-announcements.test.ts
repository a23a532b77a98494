import { Redis } from 'ioredis';
import {
  ChannelNaming,
  checkBusMessage,
  Patterns,
  type AssignmentResult,
  type NodeAssignedMessage,
} from '@switchyard/core';
import { StoreFixture, useLeadingFixture } from '../support/store-fixture';
import { waitFor } from '../support/wait-for';

const KIB = 1024;

/**
 * assign.lua publishes each node's node.assigned message itself, after the commit: one message
 * per node, split to fit MAX_BUS_MESSAGE_BYTES, the same contract the workers check.
 */
describe('assign.lua announcements', () => {
  let f: StoreFixture;
  let lease: string;
  let sub: Redis;
  let heard: { channel: string; raw: string }[];
  let base: string;
  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  beforeEach(async () => {
    base = new ChannelNaming(f.keys.prefix).channel(Patterns.NodeAssigned, '');
    heard = [];
    sub = new Redis(f.redis.options);
    await sub.psubscribe(`${base}*`);
    sub.on('pmessage', (_p: string, channel: string, raw: string) => heard.push({ channel, raw }));
  });

  afterEach(async () => {
    await sub.quit();
  });

  async function queued(
    node: string,
    payloads: unknown[],
  ): Promise<{ ids: string[]; inc: number }> {
    const inc = await f.nodes.register(f.registration(node, 1000));
    const outcomes = await f.tasks.submit(payloads.map((payload) => f.spec({ payload })));
    return { ids: outcomes.map((o) => o.id), inc };
  }

  /** Assigns `ids` to n1 with announcements of at most 64 KiB. */
  function assignAnnounced(ids: string[], inc: number): Promise<AssignmentResult[]> {
    return f.tasks.assign(
      lease,
      ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc })),
      Date.now(),
      new Map(),
      { channelBase: base, maxBytes: 64 * KIB },
    );
  }

  /** Every message heard for `node` until `count` tasks arrived, each checked as a worker would. */
  async function messagesFor(node: string, count: number, maxBytes: number) {
    const mine = (): NodeAssignedMessage[] =>
      heard
        .filter((h) => h.channel === `${base}${node}`)
        .map((h) => {
          const verdict = checkBusMessage(Patterns.NodeAssigned, h.raw, maxBytes);
          if (!verdict.ok) throw new Error(`${verdict.reason}: ${verdict.detail}`);
          return verdict.data as NodeAssignedMessage;
        });
    return waitFor(
      async () => mine(),
      (msgs) => msgs.flatMap((m) => m.tasks).length >= count,
      { timeoutMs: 10_000, what: `${count} announced tasks for ${node}` },
    );
  }

  it('tells each node its tasks in one message, with the committed lease and the payload as submitted', async () => {
    const payloads = [{ text: 'a "quoted" / slash \\ back\nline ünï 😀' }, [1, 2.5, null], 'plain'];
    const a = await queued('n1', payloads);
    const b = await queued('n2', [{ other: true }]);
    const results = await f.tasks.assign(
      lease,
      [
        ...a.ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: a.inc })),
        { taskId: b.ids[0], nodeId: 'n2', incarnation: b.inc },
      ],
      Date.now(),
      new Map(),
      { channelBase: base, maxBytes: 64 * KIB },
    );
    expect(results.every((r) => r.ok && r.announced)).toBe(true);

    const [n1] = await messagesFor('n1', 3, 64 * KIB);
    expect(n1).toMatchObject({ node: 'n1', incarnation: a.inc });
    const committed = results.filter((r) => r.nodeId === 'n1') as Extract<
      AssignmentResult,
      { ok: true }
    >[];
    expect(n1.tasks).toEqual(
      committed.map((r, i) => ({
        id: r.taskId,
        lease: r.lease,
        attempt: 1,
        type: 'echo',
        timeoutMs: 10_000,
        input: payloads[i],
        slots: 1,
        cpu: 0,
        memoryMb: 0,
      })),
    );
    const [n2] = await messagesFor('n2', 1, 64 * KIB);
    expect(n2.tasks.map((t) => t.id)).toEqual(b.ids);
    expect(heard.filter((h) => h.channel === `${base}n1`)).toHaveLength(1);
  });

  it('splits a large announcement into messages under the cap, each task once and in order', async () => {
    const { ids, inc } = await queued(
      'n1',
      Array.from({ length: 40 }, (_, i) => ({ i, pad: 'x'.repeat(5000) })),
    );
    const results = await assignAnnounced(ids, inc);
    expect(results.every((r) => r.ok && r.announced)).toBe(true);
    const msgs = await messagesFor('n1', 40, 64 * KIB);
    expect(msgs.length).toBeGreaterThan(1);
    expect(msgs.flatMap((m) => m.tasks.map((t) => t.id))).toEqual(ids);
    for (const h of heard) expect(Buffer.byteLength(h.raw)).toBeLessThanOrEqual(64 * KIB);
  });

  it('leaves out a task too large for any message, and says so in its result', async () => {
    const { ids, inc } = await queued('n1', [{ small: 1 }, { huge: 'y'.repeat(100 * KIB) }]);
    const results = await assignAnnounced(ids, inc);
    expect(results.map((r) => r.ok && r.announced)).toEqual([true, false]);
    const msgs = await messagesFor('n1', 1, 64 * KIB);
    expect(msgs.flatMap((m) => m.tasks.map((t) => t.id))).toEqual([ids[0]]);
    expect(await f.tasks.get(ids[1])).toMatchObject({ state: 'assigned' });
  });

  it('publishes nothing without a channel', async () => {
    const { ids, inc } = await queued('n1', [1]);
    const results = await f.tasks.assign(lease, [
      { taskId: ids[0], nodeId: 'n1', incarnation: inc },
    ]);
    expect(results.map((r) => r.ok && r.announced)).toEqual([false]);
    // a marker published after the commit arrives after anything the commit published
    await f.redis.publish(`${base}n1`, 'marker');
    await waitFor(
      async () => heard.map((h) => h.raw),
      (raws) => raws.includes('marker'),
      { timeoutMs: 10_000, what: 'the marker' },
    );
    expect(heard.map((h) => h.raw)).toEqual(['marker']);
  });
});

/** submit.lua publishes tasks.submitted itself, after its writes, only when it created tasks. */
describe('submit.lua announcement', () => {
  let f: StoreFixture;
  let sub: Redis;
  let heard: string[];
  let channel: string;
  useLeadingFixture((fixture) => {
    f = fixture;
  });

  beforeEach(async () => {
    channel = new ChannelNaming(f.keys.prefix).channel(Patterns.TasksSubmitted);
    heard = [];
    sub = new Redis(f.redis.options);
    sub.on('message', (_c: string, raw: string) => heard.push(raw));
    await sub.subscribe(channel);
  });

  afterEach(async () => {
    await sub.quit();
  });

  it('counts the new tasks, and says nothing for a replayed idempotency key', async () => {
    await f.tasks.submit([f.spec(), f.spec({ idempotencyKey: 'k1' })], Date.now(), channel);
    await f.tasks.submit([f.spec({ idempotencyKey: 'k1' })], Date.now(), channel);
    await f.tasks.submit([f.spec()], Date.now());
    await f.redis.publish(channel, 'marker');
    await waitFor(
      async () => heard,
      (raws) => raws.includes('marker'),
      { timeoutMs: 10_000, what: 'the marker' },
    );
    expect(heard).toEqual(['{"pattern":"tasks.submitted","data":{"count":2}}', 'marker']);
    const verdict = checkBusMessage(Patterns.TasksSubmitted, heard[0], 1024);
    expect(verdict).toEqual({ ok: true, data: { count: 2 } });
  });
});
