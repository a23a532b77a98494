import { TaskStore } from '@switchyard/core';
import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

/**
 * assign, finish and start read a batch's records with one MGET and assign writes them with one
 * MSET; the hot transitions rewrite header fields without JSON. These pin what must not change.
 */
describe('batched record reads and writes', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  it('assigns a task named twice in one batch once, counting its slots once', async () => {
    const inc = await f.nodes.register(f.registration('n1'));
    const [{ id }] = await f.tasks.submit([f.spec()]);
    const twice = { taskId: id, nodeId: 'n1', incarnation: inc };
    const results = await f.tasks.assign(lease, [twice, twice]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'state:assigned']);
    expect((await f.nodes.get('n1')).used.slots).toBe(1);
    expect(await f.tasks.get(id)).toMatchObject({ state: 'assigned', attempts: 1 });
  });

  it('records an attempt reported twice in one batch once', async () => {
    const inc = await f.nodes.register(f.registration('n1'));
    const [{ id }] = await f.tasks.submit([f.spec()]);
    const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
    if (!r.ok) throw new Error(r.reason);
    const report = { taskId: id, lease: r.lease, startedAt: 1, resultJson: '1', retry, random: 0 };
    expect(await f.tasks.finish('n1', inc, [report, report])).toEqual(['succeeded', 'stale']);
    expect((await f.nodes.get('n1')).used.slots).toBe(0);
    expect(await f.redis.lrange(f.keys.finished, 0, -1)).toEqual([id]);
  });

  it('starts a batch in one call: a task named twice sees its own start, each outcome its own', async () => {
    const inc = await f.nodes.register(f.registration('n1', 4));
    const ids = (await f.tasks.submit([f.spec(), f.spec(), f.spec()])).map((s) => s.id);
    const [a, b] = await f.tasks.assign(lease, [
      { taskId: ids[0], nodeId: 'n1', incarnation: inc },
      { taskId: ids[1], nodeId: 'n1', incarnation: inc },
    ]);
    if (!a.ok || !b.ok) throw new Error('not assigned');
    const at = 1_764_505_600_123;
    const out = await f.tasks.start('n1', inc, [
      { taskId: ids[0], lease: a.lease, startedAt: at },
      { taskId: ids[0], lease: a.lease, startedAt: at + 5 },
      { taskId: ids[1], lease: b.lease + 1, startedAt: at },
      { taskId: ids[2], lease: 1, startedAt: at },
      { taskId: 'gone', lease: 1, startedAt: at },
    ]);
    expect(out).toEqual(['running', 'running', 'stale', 'stale', 'gone']);
    const view = await f.tasks.get(ids[0]);
    expect(view).toMatchObject({ state: 'running', startedAt: at, updatedAt: at });
    expect(view.history?.[0]?.startedAt).toBe(at);
    expect((await f.tasks.get(ids[1])).state).toBe('assigned');
  });

  it('records progress of a batch: a task named twice keeps its later report', async () => {
    const inc = await f.nodes.register(f.registration('n1', 2));
    const ids = (await f.tasks.submit([f.spec(), f.spec()])).map((s) => s.id);
    const [a, b] = await f.tasks.assign(lease, [
      { taskId: ids[0], nodeId: 'n1', incarnation: inc },
      { taskId: ids[1], nodeId: 'n1', incarnation: inc },
    ]);
    if (!a.ok || !b.ok) throw new Error('not assigned');
    await f.tasks.start('n1', inc, [{ taskId: ids[0], lease: a.lease, startedAt: 1 }]);
    const out = await f.tasks.progress('n1', inc, [
      { taskId: ids[0], lease: a.lease, percent: 10 },
      { taskId: ids[1], lease: b.lease, percent: 20 },
      { taskId: ids[0], lease: a.lease, percent: 30, dataJson: '[]' },
    ]);
    expect(out).toEqual(['ok', 'state:assigned', 'ok']);
    expect((await f.tasks.get(ids[0])).progress).toEqual({ percent: 30, data: [] });
    expect((await f.tasks.get(ids[1])).progress).toBeUndefined();
  });

  it('keeps the history of a retried task across the JSON and the header line', async () => {
    const inc = await f.nodes.register(f.registration('n1'));
    const [{ id }] = await f.tasks.submit([f.spec({ maxAttempts: 3, idempotencyKey: 'a|b' })]);
    const attempt = async (error?: { message: string; retryable: boolean }): Promise<string> => {
      const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
      if (!r.ok) throw new Error(r.reason);
      const [outcome] = await f.tasks.finish('n1', inc, [
        { taskId: id, lease: r.lease, startedAt: 5, resultJson: '[]', error, retry, random: 0 },
      ]);
      return outcome;
    };
    expect(await attempt({ message: 'flaky "one"', retryable: true })).toBe('delayed');
    const runAt = (await f.tasks.get(id)).runAt as number;
    await f.tasks.readHeads(new Map(), { maxPromotions: 10, maxTypes: 10 }, runAt + 1);
    expect(await attempt()).toBe('succeeded');
    const view = await f.tasks.get(id);
    expect(view).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      result: [],
      idempotencyKey: 'a|b',
      startedAt: 5,
    });
    expect(view.history).toMatchObject([
      { lease: 1, node: 'n1', outcome: 'failed', error: 'flaky "one"', startedAt: 5 },
      { lease: 2, node: 'n1', outcome: 'succeeded', startedAt: 5 },
    ]);
    expect(view.lease).toBeUndefined();
  });

  it('records the start times a worker sends as the record writes numbers', async () => {
    const inc = await f.nodes.register(f.registration('n1', 8));
    // written as sent, and past 14 significant digits rounded to 14 (as Lua's tostring)
    const starts = [1_764_505_600_123, 99_999_999_999_999, 0, 1.5, 123_456_789_012_344];
    const recorded = [...starts.slice(0, 4), 123_456_789_012_340];
    const ids = (await f.tasks.submit(starts.map(() => f.spec()))).map((s) => s.id);
    const results = await f.tasks.assign(
      lease,
      ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc })),
    );
    const reports = results.map((r, i) => {
      if (!r.ok) throw new Error(r.reason);
      return { taskId: r.taskId, lease: r.lease, startedAt: starts[i], retry, random: 0 };
    });
    expect(await f.tasks.finish('n1', inc, reports)).toEqual(starts.map(() => 'succeeded'));
    for (const [i, id] of ids.entries()) {
      const view = await f.tasks.get(id);
      expect([view.startedAt, view.history?.[0]?.startedAt]).toEqual([recorded[i], recorded[i]]);
    }
  });

  it('keeps the newest FINISHED_LIST_CAP ids in the finished list', async () => {
    const capped = new TaskStore(f.redis, f.keys, { ...f.config, finishedListCap: 3 });
    const inc = await f.nodes.register(f.registration('n1'));
    const finishAll = async (n: number): Promise<string[]> => {
      const ids = (await capped.submit(Array.from({ length: n }, () => f.spec()))).map((s) => s.id);
      const results = await capped.assign(
        lease,
        ids.map((taskId) => ({ taskId, nodeId: 'n1', incarnation: inc })),
      );
      const reports = results.map((r) => {
        if (!r.ok) throw new Error(r.reason);
        return { taskId: r.taskId, lease: r.lease, startedAt: 1, retry, random: 0 };
      });
      await capped.finish('n1', inc, reports);
      return ids;
    };
    const first = await finishAll(2);
    expect(await f.redis.lrange(f.keys.finished, 0, -1)).toEqual([...first].reverse());
    const second = await finishAll(2);
    expect(await f.redis.lrange(f.keys.finished, 0, -1)).toEqual([second[1], second[0], first[1]]);
  });
});
