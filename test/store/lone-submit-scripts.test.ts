import { Redis } from 'ioredis';
import {
  ChannelNaming,
  checkBusMessage,
  decodeTaskHeader,
  Patterns,
  type TasksSubmittedMessage,
} from '@switchyard/core';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';
import { waitFor } from '../support/wait-for';

/**
 * The scripts behind the leader's pass without a read: submit.lua names the one task a submit
 * queued in its tasks.submitted message, and assign.lua, told the decisions must lead their
 * queues, commits a task only while no task queued before it is still waiting.
 */
describe('a lone submitted task (submit.lua head, assign.lua lead check)', () => {
  let f: StoreFixture;
  let lease: string;
  let sub: Redis;
  let heard: TasksSubmittedMessage[];
  let channel: string;
  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  beforeEach(async () => {
    channel = new ChannelNaming(f.keys.prefix).channel(Patterns.TasksSubmitted);
    heard = [];
    sub = new Redis(f.redis.options);
    await sub.subscribe(channel);
    sub.on('message', (_c: string, raw: string) => {
      const verdict = checkBusMessage(Patterns.TasksSubmitted, raw, 64 * 1024);
      if (!verdict.ok) throw new Error(`${verdict.reason}: ${verdict.detail}`);
      heard.push(verdict.data as TasksSubmittedMessage);
    });
  });

  afterEach(async () => {
    await sub.quit();
  });

  const announced = (count: number) =>
    waitFor(
      async () => heard,
      (h) => h.length >= count,
      { timeoutMs: 10_000, what: `${count} tasks.submitted messages` },
    );

  function assignLeading(ids: string[], inc: number, mustLead: boolean) {
    return f.tasks.scheduling.assignAndHint(
      lease,
      ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc })),
      Date.now(),
      new Map(),
      undefined,
      undefined,
      mustLead,
    );
  }

  it('names the one task a submit queued, with the header line read-heads reads', async () => {
    await f.nodes.register(f.registration('n1', 4));
    const [{ id }] = await f.tasks.submit(
      [f.spec({ priority: 3, payload: { text: 'a "quoted" / back\\slash' } })],
      Date.now(),
      channel,
    );
    const [message] = await announced(1);
    const read = await f.tasks.scheduling.readHeads(new Map([['echo', 1]]), {
      maxPromotions: 10,
      maxTypes: 10,
    });
    expect(message.count).toBe(1);
    expect(message.head).toEqual({ id, type: 'echo', header: expect.any(String) });
    expect(decodeTaskHeader(message.head!.header)).toEqual(read.heads[0].header);
  });

  it('names no task for a batch or a delayed task, and the new one beside a replay', async () => {
    await f.tasks.submit([f.spec(), f.spec()], Date.now(), channel);
    await f.tasks.submit([f.spec({ runAt: Date.now() + 60_000 })], Date.now(), channel);
    await f.tasks.submit([f.spec({ idempotencyKey: 'k1' })], Date.now(), channel);
    const [, fresh] = await f.tasks.submit(
      [f.spec({ idempotencyKey: 'k1' }), f.spec()],
      Date.now(),
      channel,
    );
    const messages = await announced(4);
    expect(messages.map((m) => [m.count, m.head?.id])).toEqual([
      [2, undefined],
      [1, undefined],
      [1, expect.any(String)],
      [1, fresh.id],
    ]);
  });

  it("tells its caller the head its message names (the submitting dispatcher's own loop)", async () => {
    const calls = [
      [f.spec({ priority: 2 })],
      [f.spec(), f.spec()],
      [f.spec({ runAt: Date.now() + 60_000 })],
      [f.spec({ idempotencyKey: 'k2' })],
      [f.spec({ idempotencyKey: 'k2' }), f.spec()],
    ];
    const told = [];
    for (const specs of calls)
      told.push((await f.tasks.submission.submitTelling(specs, Date.now(), channel)).head);
    const messages = await announced(calls.length);
    expect(told).toEqual(messages.map((m) => m.head));
    expect(told.map((h) => h !== undefined)).toEqual([true, false, false, true, true]);
  });

  it('commits a lone task only while it leads its queue, and leaves both tasks queued otherwise', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const [older, lone] = (await f.tasks.submit([f.spec(), f.spec()])).map((o) => o.id);
    const before = await f.snapshot();

    const [skipped] = (await assignLeading([lone], inc, true)).results;
    expect(skipped).toMatchObject({ ok: false, reason: 'order' });
    expect(await f.snapshot()).toEqual(before);

    // in queue order both lead in turn; without the check the later one commits on its own
    const both = await assignLeading([older, lone], inc, true);
    expect(both.results.map((r) => r.ok)).toEqual([true, true]);
  });

  it('commits a task behind another without the lead check (a pass that read the queue)', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const [, behind] = (await f.tasks.submit([f.spec(), f.spec()])).map((o) => o.id);
    const { results, resolving } = await assignLeading([behind], inc, false);
    expect(results[0].ok).toBe(true);
    expect(resolving).toBeUndefined();
  });

  it('counts the finished tasks whose dependents wait, which a pass without a read has not seen', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const [{ id: first }] = await f.tasks.submit([f.spec()]);
    await f.tasks.submit([f.spec({ dependsOn: [first] })]);
    const [{ lease: firstLease }] = (await assignLeading([first], inc, true)).results as {
      lease: number;
    }[];
    await f.tasks.finish('n1', inc, [
      {
        taskId: first,
        lease: firstLease,
        startedAt: Date.now(),
        resultJson: 'null',
        retry,
        random: 0,
      },
    ]);
    const [{ id: lone }] = await f.tasks.submit([f.spec()]);
    const { results, resolving } = await assignLeading([lone], inc, true);
    expect(results[0].ok).toBe(true);
    expect(resolving).toBe(1);
  });
});
