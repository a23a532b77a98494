import {
  canTransition,
  luaTransitionTable,
  TASK_STATES,
  TaskStore,
  type TaskState,
} from '@switchyard/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

const PRELUDE = fs.readFileSync(
  path.join(__dirname, '../../libs/core/src/store/scripts/_prelude.lua'),
  'utf8',
);

describe('the task scripts against real Redis', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  async function queued(overrides = {}): Promise<string> {
    const [outcome] = await f.tasks.submit([f.spec(overrides)]);
    return outcome.id;
  }

  async function assigned(node = 'n1'): Promise<{ id: string; inc: number; lease: number }> {
    const inc = await f.nodes.register(f.registration(node));
    const id = await queued();
    const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: node, incarnation: inc }]);
    if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
    return { id, inc, lease: r.lease };
  }

  it('enforces exactly the transition table of task-state.ts inside Lua', async () => {
    const pairs = TASK_STATES.flatMap((from) => TASK_STATES.map((to) => `${from}>${to}`));
    const script = `${luaTransitionTable()}${PRELUDE}
      local out = {}
      for i, pair in ipairs(ARGV) do
        local sep = string.find(pair, '>', 1, true)
        out[i] = may(string.sub(pair, 1, sep - 1), string.sub(pair, sep + 1)) and 1 or 0
      end
      return out`;
    const verdicts = (await f.redis.eval(script, 1, f.keys.base, ...pairs)) as number[];
    pairs.forEach((pair, i) => {
      const [from, to] = pair.split('>') as [TaskState, TaskState];
      expect([pair, verdicts[i] === 1]).toEqual([pair, canTransition(from, to)]);
    });
  });

  it('submits into the ready queue of the type', async () => {
    const id = await queued({ priority: 2 });
    expect((await f.tasks.get(id)).state).toBe('queued');
    const score = Number(await f.redis.zscore(f.keys.queue('echo'), id));
    const view = await f.tasks.get(id);
    expect(score).toBe((view.queuedAt as number) - 2 * 1000);
  });

  it('refuses an assignment under a lease that is not the current one, and changes nothing', async () => {
    const inc = await f.nodes.register(f.registration('n1'));
    const id = await queued();
    const before = await f.snapshot();
    await expect(
      f.tasks.assign('999:someone-else', [{ taskId: id, nodeId: 'n1', incarnation: inc }]),
    ).rejects.toThrow(/no longer holds the leader lease/);
    expect(await f.snapshot()).toEqual(before);
  });

  it('assigns a queued task: lease, attempt, node index and used capacity', async () => {
    const { id, inc } = await assigned();
    const view = await f.tasks.get(id);
    expect(view).toMatchObject({
      state: 'assigned',
      attempts: 1,
      lease: { seq: 1, node: 'n1', incarnation: inc },
    });
    expect(await f.redis.zscore(f.keys.nodeLeases('n1'), id)).not.toBeNull();
    expect(await f.redis.zscore(f.keys.queue('echo'), id)).toBeNull();
    expect((await f.nodes.get('n1')).used.slots).toBe(1);
  });

  it('skips a task that is no longer queued, changing nothing', async () => {
    const { id, inc } = await assigned();
    const before = await f.snapshot();
    const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
    expect(r).toMatchObject({ ok: false, reason: 'state:assigned' });
    expect(await f.snapshot()).toEqual(before);
  });

  it('skips a decision that would overfill a node or names a stale incarnation', async () => {
    const inc = await f.nodes.register(f.registration('small', 1));
    const [a, b] = [await queued(), await queued()];
    const results = await f.tasks.assign(lease, [
      { taskId: a, nodeId: 'small', incarnation: inc },
      { taskId: b, nodeId: 'small', incarnation: inc },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'capacity']);
    const [stale] = await f.tasks.assign(lease, [
      { taskId: b, nodeId: 'small', incarnation: inc - 1 },
    ]);
    expect(stale).toMatchObject({ ok: false, reason: 'node' });
    expect((await f.tasks.get(b)).state).toBe('queued');
  });

  it('starts and finishes under the current lease, freeing the node', async () => {
    const { id, inc, lease: seq } = await assigned();
    expect(
      await f.tasks.start('n1', inc, [{ taskId: id, lease: seq, startedAt: Date.now() }]),
    ).toEqual(['running']);
    const [outcome] = await f.tasks.finish('n1', inc, [
      { taskId: id, lease: seq, startedAt: Date.now(), resultJson: '{"ok":[]}', retry, random: 0 },
    ]);
    expect(outcome).toBe('succeeded');
    const view = await f.tasks.get(id);
    expect(view).toMatchObject({ state: 'succeeded', result: { ok: [] } });
    expect(view.history[0]).toMatchObject({ lease: 1, node: 'n1', outcome: 'succeeded' });
    expect((await f.nodes.get('n1')).used.slots).toBe(0);
    expect(await f.redis.pttl(f.keys.task(id))).toBeGreaterThan(0);
  });

  it.each([
    [
      'an old lease number',
      (l: { inc: number; lease: number }) => ({ node: 'n1', inc: l.inc, seq: l.lease - 1 }),
    ],
    [
      'another node',
      (l: { inc: number; lease: number }) => ({ node: 'n2', inc: l.inc, seq: l.lease }),
    ],
    [
      'an old incarnation',
      (l: { inc: number; lease: number }) => ({ node: 'n1', inc: l.inc + 1, seq: l.lease }),
    ],
  ])('rejects a report with %s as stale and changes nothing', async (_what, forge) => {
    const held = await assigned();
    const { node, inc, seq } = forge(held);
    const before = await f.snapshot();
    expect(await f.tasks.start(node, inc, [{ taskId: held.id, lease: seq, startedAt: 1 }])).toEqual(
      ['stale'],
    );
    const [outcome] = await f.tasks.finish(node, inc, [
      { taskId: held.id, lease: seq, startedAt: 1, resultJson: '"forged"', retry, random: 0 },
    ]);
    expect(outcome).toBe('stale');
    expect(await f.snapshot()).toEqual(before);
  });

  it('retries a failed attempt through delayed, then fails it when attempts run out', async () => {
    const inc = await f.nodes.register(f.registration('n1'));
    const id = await queued({ maxAttempts: 2 });
    const fail = async (): Promise<string> => {
      const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
      if (!r.ok) throw new Error(r.reason);
      const [outcome] = await f.tasks.finish('n1', inc, [
        {
          taskId: id,
          lease: r.lease,
          startedAt: 1,
          error: { message: 'flaky', retryable: true },
          retry,
          random: 0,
        },
      ]);
      return outcome;
    };
    expect(await fail()).toBe('delayed');
    const delayed = await f.tasks.get(id);
    expect(delayed.state).toBe('delayed');
    expect(delayed.runAt).toBeGreaterThan(Date.now());
    const read = await f.tasks.readHeads(
      new Map(),
      { maxPromotions: 10, maxTypes: 10 },
      (delayed.runAt as number) + 1,
    );
    expect(read.promoted).toBe(1);
    expect(await fail()).toBe('failed');
    const failed = await f.tasks.get(id);
    expect(failed).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: { message: 'flaky', retryable: true },
    });
    expect(failed.history.map((h) => h.outcome)).toEqual(['failed', 'failed']);
    expect(await f.redis.zscore(f.keys.failed, id)).not.toBeNull();
  });

  it('fails a non-retryable error at once', async () => {
    const { id, inc, lease: seq } = await assigned();
    const [outcome] = await f.tasks.finish('n1', inc, [
      {
        taskId: id,
        lease: seq,
        startedAt: 1,
        error: { message: 'bad input', retryable: false },
        retry,
        random: 0,
      },
    ]);
    expect(outcome).toBe('failed');
    expect((await f.tasks.get(id)).attempts).toBe(1);
  });

  it('cancels a live task and refuses to cancel a terminal one without changes', async () => {
    const id = await queued();
    expect(await f.tasks.cancel(id)).toMatchObject({ ok: true, previous: 'queued' });
    expect(await f.redis.zscore(f.keys.queue('echo'), id)).toBeNull();
    const before = await f.snapshot();
    expect(await f.tasks.cancel(id)).toEqual({ ok: false, state: 'cancelled' });
    expect(await f.snapshot()).toEqual(before);
  });

  it('cancels an assigned task and frees its slots', async () => {
    const { id } = await assigned();
    expect(await f.tasks.cancel(id)).toMatchObject({ ok: true, previous: 'assigned', node: 'n1' });
    expect((await f.nodes.get('n1')).used.slots).toBe(0);
    expect(await f.redis.zcard(f.keys.nodeLeases('n1'))).toBe(0);
  });

  it('re-queues the leases of an earlier incarnation when a node registers again', async () => {
    const { id, inc } = await assigned();
    const next = await f.nodes.register(f.registration('n1'));
    expect(next).toBe(inc + 1);
    const view = await f.tasks.get(id);
    expect(view).toMatchObject({ state: 'queued', attempts: 1 });
    expect(view.history[0].outcome).toBe('lost');
    expect(await f.nodes.heartbeat('n1', inc)).toBe('stale');
    expect(await f.nodes.heartbeat('n1', next)).toBe('alive');
  });

  it('returns the first task for a repeated idempotency key and creates nothing', async () => {
    const [first] = await f.tasks.submit([f.spec({ idempotencyKey: 'k' })]);
    const before = await f.snapshot();
    const [again] = await f.tasks.submit([f.spec({ idempotencyKey: 'k', payload: 'other' })]);
    expect(again).toEqual({ id: first.id, state: 'queued', created: false });
    expect(await f.snapshot()).toEqual(before);
  });

  it('refuses a batch that would overfill a queue, writing none of it', async () => {
    const small = new StoreFixture();
    try {
      const tasks = new TaskStore(small.redis, small.keys, {
        ...small.config,
        maxQueuedPerType: 2,
      });
      await tasks.submit([small.spec()]);
      const before = await small.snapshot();
      await expect(tasks.submit([small.spec(), small.spec()])).rejects.toThrow(
        /queue of type echo is full/,
      );
      expect(await small.snapshot()).toEqual(before);
    } finally {
      await small.close();
    }
  });
});
