import { FIXED_RETRY as retry, StoreFixture, useLeadingFixture } from '../support/store-fixture';

/** Dependencies at the script level: submit.lua's blocked state and the leader's resolve-deps.lua. */
describe('task dependencies in Redis', () => {
  let f: StoreFixture;
  let lease: string;
  let inc: number;

  useLeadingFixture((fixture, held) => {
    [f, lease] = [fixture, held];
  });

  beforeEach(async () => {
    inc = await f.nodes.register(f.registration('n1', 100));
  });

  async function submit(overrides = {}): Promise<{ id: string; state: string }> {
    const [outcome] = await f.tasks.submit([f.spec(overrides)]);
    return outcome;
  }

  /** Runs a queued task to the end on n1: ok → succeeded, otherwise failed for good. */
  async function finish(id: string, ok: boolean): Promise<void> {
    const [r] = await f.tasks.assign(lease, [{ taskId: id, nodeId: 'n1', incarnation: inc }]);
    if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
    const report = ok ? { resultJson: '1' } : { error: { message: 'broken', retryable: false } };
    await f.tasks.finish('n1', inc, [
      { taskId: id, lease: r.lease, startedAt: 1, retry, random: 0, ...report },
    ]);
  }

  const state = async (id: string): Promise<string> => (await f.tasks.get(id)).state;

  it('keeps a task blocked until every dependency succeeded, then queues it', async () => {
    const a = (await submit()).id;
    const b = (await submit()).id;
    const c = await submit({ dependsOn: [a, b] });
    expect(c.state).toBe('blocked');
    expect(await f.redis.sismember(f.keys.blocked, c.id)).toBe(1);
    expect((await f.tasks.get(c.id)).waitingOn).toBe(2);

    await finish(a, true);
    expect(await f.tasks.resolveDependents(100)).toEqual({ settled: 1, pending: 0 });
    expect(await state(c.id)).toBe('blocked');
    expect((await f.tasks.get(c.id)).waitingOn).toBe(1);

    await finish(b, true);
    await f.tasks.resolveDependents(100);
    expect(await state(c.id)).toBe('queued');
    expect(await f.redis.zscore(f.keys.queue('echo'), c.id)).not.toBeNull();
    expect(await f.redis.sismember(f.keys.blocked, c.id)).toBe(0);
  });

  it.each([
    ['fails', (id: string) => finish(id, false), /dependency \w+ failed/],
    [
      'is cancelled',
      async (id: string) => void (await f.tasks.cancel(id)),
      /dependency \w+ was cancelled/,
    ],
  ])('fails the dependent, naming the dependency, when one %s', async (_what, end, message) => {
    const a = (await submit()).id;
    const b = (await submit()).id;
    const c = await submit({ dependsOn: [a, b] });
    await end(a);
    await f.tasks.resolveDependents(100);
    const view = await f.tasks.get(c.id);
    expect(view.state).toBe('failed');
    expect(view.error?.message).toMatch(message);
    expect(view.error?.message).toContain(a);
    expect(await f.redis.zscore(f.keys.failed, c.id)).not.toBeNull();
  });

  it('cascades a failure down a chain of dependents', async () => {
    const a = (await submit()).id;
    const b = (await submit({ dependsOn: [a] })).id;
    const c = (await submit({ dependsOn: [b] })).id;
    await finish(a, false);
    await f.tasks.resolveDependents(100);
    expect(await state(b)).toBe('failed');
    expect(await state(c)).toBe('failed');
    expect((await f.tasks.get(c)).error?.message).toBe(`dependency ${b} failed`);
  });

  it('resolves at submit when dependencies have already ended', async () => {
    const done = (await submit()).id;
    await finish(done, true);
    const broken = (await submit()).id;
    await finish(broken, false);
    expect((await submit({ dependsOn: [done] })).state).toBe('queued');
    const failed = await submit({ dependsOn: [done, broken] });
    expect(failed.state).toBe('failed');
    expect((await f.tasks.get(failed.id)).error?.message).toBe(`dependency ${broken} failed`);
  });

  it('goes to delayed, not queued, when its runAt is still ahead once unblocked', async () => {
    const a = (await submit()).id;
    const c = await submit({ dependsOn: [a], runAt: Date.now() + 60_000 });
    expect(c.state).toBe('blocked');
    await finish(a, true);
    await f.tasks.resolveDependents(100);
    expect(await state(c.id)).toBe('delayed');
  });

  it('refuses a dependency that does not exist, writing nothing', async () => {
    const before = await f.snapshot();
    await expect(submit({ dependsOn: ['01M8D3ZHTN946B1AXM00FC59FA'] })).rejects.toThrow(
      /dependsOn: task 01M8D3ZHTN946B1AXM00FC59FA does not exist/,
    );
    expect(await f.snapshot()).toEqual(before);
  });

  it('settles at most the budget per step and reports what is left', async () => {
    const a = (await submit()).id;
    const dependents = [];
    for (let i = 0; i < 5; i++) dependents.push((await submit({ dependsOn: [a] })).id);
    await finish(a, true);
    expect(await f.tasks.resolveDependents(2)).toEqual({ settled: 2, pending: 1 });
    expect(await f.tasks.resolveDependents(2)).toEqual({ settled: 2, pending: 1 });
    expect(await f.tasks.resolveDependents(2)).toEqual({ settled: 1, pending: 0 });
    for (const id of dependents) expect(await state(id)).toBe('queued');
  });

  it('leaves a cancelled dependent cancelled when its dependency then succeeds', async () => {
    const a = (await submit()).id;
    const c = (await submit({ dependsOn: [a] })).id;
    await f.tasks.cancel(c);
    await finish(a, true);
    await f.tasks.resolveDependents(100);
    expect(await state(c)).toBe('cancelled');
  });
});
