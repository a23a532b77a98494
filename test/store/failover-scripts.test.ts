import { NotLeaderError, TaskNotFoundError, type TaskView } from '@switchyard/core';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

// the fixture's config: suspect after 3000 ms of silence, dead after 5000 ms
const SUSPECT = 3000;
const DEAD = 5000;

describe('the failover scripts against real Redis', () => {
  let f: StoreFixture;
  let lease: string;
  const t0 = Date.now();

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  async function queued(overrides = {}): Promise<string> {
    const [outcome] = await f.tasks.submit([f.spec(overrides)], t0);
    return outcome.id;
  }

  async function assignTo(node: string, inc: number, id: string): Promise<number> {
    const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: node, incarnation: inc }], t0);
    if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
    return r.lease;
  }

  const state = async (id: string): Promise<TaskView> => f.tasks.get(id);

  describe('check-nodes (health check)', () => {
    it('refuses to run under a lease that is not current, changing nothing', async () => {
      await f.nodes.register(f.registration('n1'), t0);
      const before = await f.snapshot();
      await expect(f.nodes.checkHealth('9:other', 0, t0 + DEAD + 1)).rejects.toBeInstanceOf(
        NotLeaderError,
      );
      expect(await f.snapshot()).toEqual(before);
    });

    it('leaves a node that heartbeats alone, marks a silent one suspect, then dead', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      expect(await f.nodes.checkHealth(lease, 0, t0 + SUSPECT)).toEqual({ suspects: [], dead: [] });
      expect(await f.nodes.checkHealth(lease, 0, t0 + SUSPECT + 1)).toEqual({
        suspects: ['n1'],
        dead: [],
      });
      expect((await f.nodes.get('n1')).status).toBe('suspect');
      const out = await f.nodes.checkHealth(lease, 0, t0 + DEAD + 1);
      expect(out).toEqual({
        suspects: [],
        dead: [{ id: 'n1', incarnation: inc, requeued: 0, failed: 0 }],
      });
      expect((await f.nodes.get('n1')).status).toBe('dead');
      expect(await f.nodes.heartbeat('n1', inc, t0 + DEAD + 2)).toBe('stale');
    });

    it('declares a node dead in one step: its tasks re-queued with the attempt counted, slots freed', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const [a, b] = [await queued(), await queued()];
      const leaseA = await assignTo('n1', inc, a);
      const leaseB = await assignTo('n1', inc, b);
      expect(await f.tasks.start('n1', inc, [{ taskId: b, lease: leaseB, startedAt: t0 }])).toEqual(
        ['running'],
      );
      const versionBefore = await f.nodes.version();

      const out = await f.nodes.checkHealth(lease, 0, t0 + DEAD + 1);
      expect(out.dead).toEqual([{ id: 'n1', incarnation: inc, requeued: 2, failed: 0 }]);
      for (const id of [a, b]) {
        const view = await state(id);
        expect(view).toMatchObject({ state: 'queued', attempts: 1 });
        expect(view.lease).toBeUndefined();
        expect(view.history).toHaveLength(1);
        expect(view.history[0]).toMatchObject({
          node: 'n1',
          incarnation: inc,
          outcome: 'lost',
          endedAt: t0 + DEAD + 1,
        });
        expect(await f.redis.zscore(f.keys.queue('echo'), id)).not.toBeNull();
      }
      const node = await f.nodes.get('n1');
      expect(node.used.slots).toBe(0);
      expect(node.inFlight).toBe(0);
      expect(await f.redis.zscore(f.keys.heartbeats, 'n1')).toBeNull();
      expect(await f.nodes.version()).toBe(versionBefore + 1);

      // the dead incarnation's late reports are stale and change nothing
      const before = await f.snapshot();
      expect(await f.tasks.start('n1', inc, [{ taskId: a, lease: leaseA, startedAt: t0 }])).toEqual(
        ['stale'],
      );
      const late = await f.tasks.finish('n1', inc, [
        { taskId: b, lease: leaseB, startedAt: t0, resultJson: '"late"', retry, random: 0 },
        {
          taskId: a,
          lease: leaseA,
          startedAt: t0,
          error: { message: 'x', retryable: true },
          retry,
          random: 0,
        },
      ]);
      expect(late).toEqual(['stale', 'stale']);
      expect(await f.snapshot()).toEqual(before);
    });

    it('fails a task of a dead node whose attempts are exhausted', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const id = await queued({ maxAttempts: 1 });
      await assignTo('n1', inc, id);
      const out = await f.nodes.checkHealth(lease, 0, t0 + DEAD + 1);
      expect(out.dead[0]).toMatchObject({ requeued: 0, failed: 1 });
      const view = await state(id);
      expect(view).toMatchObject({
        state: 'failed',
        attempts: 1,
        error: { code: 'lost', retryable: true },
      });
      expect(await f.redis.zscore(f.keys.failed, id)).not.toBeNull();
    });

    it('counts silence only from when the leader began to watch', async () => {
      await f.nodes.register(f.registration('n1'), t0);
      const since = t0 + 10_000;
      expect(await f.nodes.checkHealth(lease, since, since + DEAD)).toEqual({
        suspects: ['n1'],
        dead: [],
      });
      expect((await f.nodes.checkHealth(lease, since, since + DEAD + 1)).dead).toHaveLength(1);
    });

    it('lets a dead node come back only as a new incarnation that starts empty', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      await assignTo('n1', inc, await queued());
      await f.nodes.checkHealth(lease, 0, t0 + DEAD + 1);
      const next = await f.nodes.register(f.registration('n1'), t0 + DEAD + 2);
      expect(next).toBe(inc + 1);
      const node = await f.nodes.get('n1');
      expect(node).toMatchObject({
        status: 'alive',
        incarnation: next,
        inFlight: 0,
        used: { slots: 0 },
      });
    });
  });

  describe('reclaim-expired (lease deadline)', () => {
    it('refuses to run under a lease that is not current, changing nothing', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      await assignTo('n1', inc, await queued({ timeoutMs: 100 }));
      const before = await f.snapshot();
      await expect(f.tasks.reclaimExpired('9:other', 100, t0 + 60_000)).rejects.toBeInstanceOf(
        NotLeaderError,
      );
      expect(await f.snapshot()).toEqual(before);
    });

    it('reclaims a task past timeout + grace from a node that still heartbeats, as a retryable timeout', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const late = await queued({ timeoutMs: 100 });
      const fresh = await queued({ timeoutMs: 60_000 });
      const lateLease = await assignTo('n1', inc, late);
      await assignTo('n1', inc, fresh);
      const deadline = t0 + 100 + f.config.leaseGraceMs;
      expect(await f.tasks.reclaimExpired(lease, 100, deadline - 1)).toEqual([]);

      const out = await f.tasks.reclaimExpired(lease, 100, deadline + 1);
      expect(out).toEqual([{ node: 'n1', taskId: late, lease: lateLease, outcome: 'queued' }]);
      const view = await state(late);
      expect(view).toMatchObject({
        state: 'queued',
        attempts: 1,
        error: { code: 'timeout', retryable: true },
      });
      expect(view.history[0]).toMatchObject({ outcome: 'expired' });
      expect((await state(fresh)).state).toBe('assigned');
      expect((await f.nodes.get('n1')).used.slots).toBe(1);
      expect((await f.nodes.get('n1')).status).toBe('alive');

      const before = await f.snapshot();
      const [outcome] = await f.tasks.finish('n1', inc, [
        { taskId: late, lease: lateLease, startedAt: t0, resultJson: '"late"', retry, random: 0 },
      ]);
      expect(outcome).toBe('stale');
      expect(await f.snapshot()).toEqual(before);
    });

    it('fails a reclaimed task whose attempts are exhausted', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const id = await queued({ timeoutMs: 100, maxAttempts: 1 });
      await assignTo('n1', inc, id);
      const [r] = await f.tasks.reclaimExpired(lease, 100, t0 + 100 + f.config.leaseGraceMs + 1);
      expect(r.outcome).toBe('failed');
      expect(await state(id)).toMatchObject({ state: 'failed', error: { code: 'timeout' } });
    });
  });

  describe('drain-node and leave-node (graceful drain)', () => {
    it('marks a node draining, after which the assign script gives it nothing', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      expect(await f.nodes.drain('n1', inc)).toBe(true);
      expect((await f.nodes.get('n1')).status).toBe('draining');
      const id = await queued();
      const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
      expect(r).toMatchObject({ ok: false, reason: 'node' });
      expect((await state(id)).state).toBe('queued');
    });

    it('refuses to drain or remove an incarnation that is not registered, changing nothing', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const before = await f.snapshot();
      expect(await f.nodes.drain('n1', inc + 1)).toBe(false);
      expect(await f.nodes.leave('n1', inc - 1)).toBeNull();
      expect(await f.snapshot()).toEqual(before);
    });

    it('hands unfinished tasks back without counting the attempt and leaves the registry', async () => {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const id = await queued({ maxAttempts: 1 });
      const seq = await assignTo('n1', inc, id);
      await f.tasks.start('n1', inc, [{ taskId: id, lease: seq, startedAt: t0 }]);
      await f.nodes.drain('n1', inc);
      expect(await f.nodes.leave('n1', inc, t0 + 10)).toEqual({ requeued: 1, failed: 0 });
      const view = await state(id);
      expect(view).toMatchObject({ state: 'queued', attempts: 0 });
      expect(view.history[0]).toMatchObject({ outcome: 'handed-back', endedAt: t0 + 10 });
      await expect(f.nodes.get('n1')).rejects.toThrow(/not registered/);
      expect(await f.nodes.ids()).toEqual([]);
      expect(await f.nodes.heartbeat('n1', inc)).toBe('stale');
    });
  });

  describe('retry (operator re-queue)', () => {
    async function failedTask(): Promise<string> {
      const inc = await f.nodes.register(f.registration('n1'), t0);
      const id = await queued({ maxAttempts: 1 });
      const seq = await assignTo('n1', inc, id);
      const [outcome] = await f.tasks.finish('n1', inc, [
        {
          taskId: id,
          lease: seq,
          startedAt: t0,
          error: { message: 'boom', retryable: true },
          retry,
          random: 0,
        },
      ]);
      expect(outcome).toBe('failed');
      return id;
    }

    it('re-queues a failed task with a fresh attempt budget, keeping its history', async () => {
      const id = await failedTask();
      expect(await f.tasks.retry(id)).toEqual({ ok: true, previous: 'failed' });
      const view = await state(id);
      expect(view).toMatchObject({ state: 'queued', attempts: 0 });
      expect(view.error).toBeUndefined();
      expect(view.history).toHaveLength(1);
      expect(await f.redis.zscore(f.keys.failed, id)).toBeNull();
      expect(await f.redis.zscore(f.keys.queue('echo'), id)).not.toBeNull();
    });

    it('re-queues a cancelled task and ends its retention TTL', async () => {
      const id = await queued();
      await f.tasks.cancel(id);
      expect(await f.redis.pttl(f.keys.task(id))).toBeGreaterThan(0);
      expect(await f.tasks.retry(id)).toEqual({ ok: true, previous: 'cancelled' });
      expect(await f.redis.pttl(f.keys.task(id))).toBe(-1);
      expect(await f.redis.lrange(f.keys.finished, 0, -1)).toEqual([]);
    });

    it('refuses a task that is not failed or cancelled, changing nothing', async () => {
      const id = await queued();
      const before = await f.snapshot();
      expect(await f.tasks.retry(id)).toEqual({ ok: false, state: 'queued' });
      expect(await f.snapshot()).toEqual(before);
      await expect(f.tasks.retry('01M8D3ZHTN946B1AXM00FC59FA')).rejects.toBeInstanceOf(
        TaskNotFoundError,
      );
    });
  });

  describe('page-index (listing with a cursor)', () => {
    async function failMany(n: number): Promise<string[]> {
      const inc = await f.nodes.register(f.registration('n1', 100), t0);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = await queued({ maxAttempts: 1 });
        const seq = await assignTo('n1', inc, id);
        // two share a finish time: ties must not be skipped or repeated
        await f.tasks.finish(
          'n1',
          inc,
          [
            {
              taskId: id,
              lease: seq,
              startedAt: t0,
              error: { message: `e${i}`, retryable: false },
              retry,
              random: 0,
            },
          ],
          t0 + Math.min(i, 3),
        );
        ids.push(id);
      }
      return ids;
    }

    async function walk(
      limit: number,
      mutate?: (page: number, ids: string[]) => Promise<void>,
    ): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const res = await f.tasks.list({
          state: 'failed',
          limit,
          ...(cursor !== undefined && { cursor }),
        });
        seen.push(...res.tasks.map((t) => t.id));
        if (mutate)
          await mutate(
            page,
            res.tasks.map((t) => t.id),
          );
        if (res.nextCursor === null) break;
        cursor = res.nextCursor;
      }
      return seen;
    }

    it('pages through failed tasks newest first, each exactly once', async () => {
      const ids = await failMany(6);
      const seen = await walk(2);
      expect(seen).toHaveLength(6);
      expect(new Set(seen)).toEqual(new Set(ids));
      const finishedAt = await Promise.all(
        seen.map(async (id) => (await state(id)).finishedAt as number),
      );
      expect([...finishedAt].sort((a, b) => b - a)).toEqual(finishedAt);
    });

    it('resumes after a cursor whose task left the index meanwhile', async () => {
      const ids = await failMany(6);
      const seen = await walk(2, async (page, pageIds) => {
        if (page === 0) await f.tasks.retry(pageIds[pageIds.length - 1]);
      });
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen).toHaveLength(6);
    });

    it('lists a queue in queue order, needs a type for it, and rejects a forged cursor', async () => {
      const a = await queued({ priority: 0 });
      const b = await queued({ priority: 5 });
      const page = await f.tasks.list({ state: 'queued', type: 'echo', limit: 10 });
      expect(page.tasks.map((t) => t.id)).toEqual([b, a]);
      expect(page.nextCursor).toBeNull();
      await expect(f.tasks.list({ state: 'queued', limit: 10 })).rejects.toThrow(/needs a type/);
      await expect(f.tasks.list({ state: 'failed', limit: 10, cursor: 'garbage' })).rejects.toThrow(
        /cursor/,
      );
    });
  });
});

describe('the retry backoff of finish.lua', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  /** Fails attempts of one task at `now` and returns each retry delay (runAt − now). */
  async function delays(
    spec: object,
    policy: { backoff: 'fixed' | 'exponential'; baseMs: number; capMs: number; jitter: number },
    random: number,
    attempts: number,
  ): Promise<number[]> {
    const inc = await f.nodes.register(f.registration('n1'));
    const [{ id }] = await f.tasks.submit([f.spec({ maxAttempts: attempts + 1, ...spec })]);
    const out: number[] = [];
    for (let i = 0; i < attempts; i++) {
      const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
      if (!r.ok) throw new Error(r.reason);
      const now = Date.now();
      const [outcome] = await f.tasks.finish(
        'n1',
        inc,
        [
          {
            taskId: id,
            lease: r.lease,
            startedAt: now,
            error: { message: 'flaky', retryable: true },
            retry: policy,
            random,
          },
        ],
        now,
      );
      expect(outcome).toBe('delayed');
      const view = await f.tasks.get(id);
      out.push((view.runAt as number) - now);
      await f.tasks.readHeads(new Map(), { maxPromotions: 10, maxTypes: 10 }, view.runAt as number);
    }
    return out;
  }

  it('doubles an exponential delay per attempt up to the cap', async () => {
    expect(
      await delays({}, { backoff: 'exponential', baseMs: 100, capMs: 250, jitter: 0 }, 0.9, 3),
    ).toEqual([100, 200, 250]);
  });

  it('keeps a fixed delay and takes the jitter share off at random', async () => {
    expect(
      await delays({}, { backoff: 'fixed', baseMs: 400, capMs: 1000, jitter: 0.5 }, 0.5, 2),
    ).toEqual([300, 300]);
  });

  it("prefers the task's own policy over the type default", async () => {
    const own = { retry: { backoff: 'fixed', baseMs: 70, capMs: 70, jitter: 0 } };
    expect(
      await delays(own, { backoff: 'exponential', baseMs: 5000, capMs: 9000, jitter: 0 }, 0, 2),
    ).toEqual([70, 70]);
  });
});
