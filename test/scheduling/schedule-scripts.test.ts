import { ScheduleStore, type ScheduleDefinition } from '@switchyard/core';
import { StoreFixture } from '../support/store-fixture';

/** fire-schedule.lua: one task per (schedule, tick), only under the leader lease. */
describe('firing schedule ticks in Redis', () => {
  let f: StoreFixture;
  let store: ScheduleStore;
  let lease: string;
  const T = Date.now();
  const def: ScheduleDefinition = {
    id: '01SCHEDULE0000000000000000',
    everyMs: 1000,
    missedTicks: 'skip',
    createdAt: T,
    task: {
      type: 'echo',
      payload: { from: 'schedule' },
      priority: 0,
      requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
      maxAttempts: 1,
      timeoutMs: 1000,
    },
  };

  beforeEach(async () => {
    f = new StoreFixture();
    store = new ScheduleStore(f.redis, f.keys, f.config);
    lease = (await f.leader.acquire('me', 60_000)) as string;
    await store.create(def, T + 1000);
  });

  afterEach(async () => {
    await f.close();
  });

  it('creates one queued task for a tick and moves the schedule on', async () => {
    const r = await store.fire(lease, {
      schedule: def,
      due: T + 1000,
      next: T + 2000,
      tick: T + 1000,
    });
    expect(r.outcome).toBe('fired');
    const task = await f.tasks.get(r.taskId as string);
    expect(task).toMatchObject({
      state: 'queued',
      type: 'echo',
      payload: { from: 'schedule' },
      schedule: { id: def.id, tick: T + 1000 },
    });
    const [view] = await store.list();
    expect(view).toMatchObject({
      nextAt: T + 2000,
      lastTick: T + 1000,
      lastTaskId: r.taskId,
      fired: 1,
    });
  });

  it('fires a tick once even when asked twice (another dispatcher, a retry)', async () => {
    await store.fire(lease, { schedule: def, due: T + 1000, next: T + 2000, tick: T + 1000 });
    // a second caller that read the same due time cannot move the schedule again
    const again = await store.fire(lease, {
      schedule: def,
      due: T + 1000,
      next: T + 2000,
      tick: T + 1000,
    });
    expect(again.outcome).toBe('moved');
    // and one that read the new due time but names an old tick finds the tick key set
    const replay = await store.fire(lease, {
      schedule: def,
      due: T + 2000,
      next: T + 3000,
      tick: T + 1000,
    });
    expect(replay.outcome).toBe('duplicate');
    expect(await f.redis.zcard(f.keys.queue('echo'))).toBe(1);
  });

  it('refuses to fire under a lease that is not the current one, writing nothing', async () => {
    const before = await f.snapshot();
    await expect(
      store.fire('999:other', { schedule: def, due: T + 1000, next: T + 2000, tick: T + 1000 }),
    ).rejects.toThrow(/leader lease/);
    expect(await f.snapshot()).toEqual(before);
  });

  it('passes over missed ticks without a task under skip', async () => {
    const r = await store.fire(lease, {
      schedule: def,
      due: T + 1000,
      next: T + 60_000,
      tick: null,
    });
    expect(r.outcome).toBe('skipped');
    expect(await f.redis.zcard(f.keys.queue('echo'))).toBe(0);
    expect((await store.list())[0].nextAt).toBe(T + 60_000);
  });

  it('stops firing a deleted schedule', async () => {
    expect(await store.delete(def.id)).toBe(true);
    const r = await store.fire(lease, {
      schedule: def,
      due: T + 1000,
      next: T + 2000,
      tick: T + 1000,
    });
    expect(r.outcome).toBe('moved');
    expect(await f.redis.zcard(f.keys.queue('echo'))).toBe(0);
    expect(await store.delete(def.id)).toBe(false);
  });
});
