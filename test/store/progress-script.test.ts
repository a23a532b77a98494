import { FIXED_RETRY, StoreFixture } from '../support/store-fixture';

describe('progress.lua against real Redis', () => {
  let f: StoreFixture;
  let leader: string;

  beforeEach(async () => {
    f = new StoreFixture();
    leader = (await f.leader.acquire('me', 60_000)) as string;
  });

  afterEach(async () => {
    await f.close();
  });

  async function running(node = 'n1'): Promise<{ id: string; inc: number; lease: number }> {
    const inc = await f.nodes.register(f.registration(node));
    const [outcome] = await f.tasks.submit([f.spec()]);
    const [r] = await f.tasks.assign(leader, [
      { taskId: outcome.id, nodeId: node, incarnation: inc },
    ]);
    if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
    await f.tasks.start(node, inc, [{ taskId: outcome.id, lease: r.lease, startedAt: Date.now() }]);
    return { id: outcome.id, inc, lease: r.lease };
  }

  it('records the latest progress of a running task, data kept as written (arrays too)', async () => {
    const { id, inc, lease } = await running();
    expect(await f.tasks.progress('n1', inc, [{ taskId: id, lease, percent: 10 }])).toEqual(['ok']);
    expect((await f.tasks.get(id)).progress).toEqual({ percent: 10 });
    const out = await f.tasks.progress('n1', inc, [
      { taskId: id, lease, percent: 55.5, dataJson: JSON.stringify({ files: [], done: [1, 2] }) },
    ]);
    expect(out).toEqual(['ok']);
    const view = await f.tasks.get(id);
    expect(view.state).toBe('running');
    expect(view.progress).toEqual({ percent: 55.5, data: { files: [], done: [1, 2] } });
  });

  it('ignores a report for a task assigned but not started yet', async () => {
    const inc = await f.nodes.register(f.registration('n1'));
    const [outcome] = await f.tasks.submit([f.spec()]);
    const [r] = await f.tasks.assign(leader, [
      { taskId: outcome.id, nodeId: 'n1', incarnation: inc },
    ]);
    if (!r.ok) throw new Error(`not assigned: ${r.reason}`);
    const out = await f.tasks.progress('n1', inc, [
      { taskId: outcome.id, lease: r.lease, percent: 5 },
    ]);
    expect(out).toEqual(['state:assigned']);
    expect((await f.tasks.get(outcome.id)).progress).toBeUndefined();
  });

  it('ignores a report under a stale lease or for a task that no longer runs, changing nothing', async () => {
    const { id, inc, lease } = await running();
    const before = await f.snapshot();
    expect(
      await f.tasks.progress('n1', inc, [{ taskId: id, lease: lease + 1, percent: 50 }]),
    ).toEqual(['stale']);
    expect(await f.tasks.progress('n1', inc + 1, [{ taskId: id, lease, percent: 50 }])).toEqual([
      'stale',
    ]);
    expect(await f.tasks.progress('n2', inc, [{ taskId: id, lease, percent: 50 }])).toEqual([
      'stale',
    ]);
    expect(
      await f.tasks.progress('n1', inc, [{ taskId: 'no-such-task', lease, percent: 50 }]),
    ).toEqual(['gone']);
    expect(await f.snapshot()).toEqual(before);
    const retry = FIXED_RETRY;
    await f.tasks.finish('n1', inc, [
      { taskId: id, lease, startedAt: 1, resultJson: '1', retry, random: 0 },
    ]);
    expect(await f.tasks.progress('n1', inc, [{ taskId: id, lease, percent: 50 }])).toEqual([
      'stale',
    ]);
    expect((await f.tasks.get(id)).progress).toBeUndefined();
  });
});
