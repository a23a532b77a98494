import {
  loadConfig,
  type AssignmentStrategy,
  type HeadsInFlight,
  type NodeCandidate,
  type TaskSchedulingStore,
} from '@switchyard/core';
import { AssignmentLoop } from './assignment-loop';
import type { StrategyRegistry } from './strategy-registry';
import { leadingLoop } from './leading-loop.fixture';
import { StoreFixture, useLeadingFixture } from '../../../../test/support/store-fixture';
import { waitFor } from '../../../../test/support/wait-for';

const BATCH = 5;
const leastUsed: AssignmentStrategy = {
  select: (_task: unknown, candidates: readonly NodeCandidate[]) =>
    [...candidates].sort((a, b) => a.used.slots - b.used.slots)[0] ?? null,
};
const strategies = { resolve: () => leastUsed } as unknown as StrategyRegistry;

/**
 * The leader's pass loop on real Redis: each full pass's read goes out ahead of that pass's
 * commit (pipelined passes). What it must keep: every task decided once, in queue order, within
 * each node's slots, and nothing read ahead committed under a lease it no longer holds.
 */
describe('pipelined scheduling passes (real Redis)', () => {
  let f: StoreFixture;
  let lease: string;
  useLeadingFixture((fixture, value) => {
    f = fixture;
    lease = value;
  });

  let loop: AssignmentLoop | undefined;
  afterEach(() => loop?.onApplicationShutdown());

  /** Ids in commit order; reads sent with heads in flight; hook run before commit n goes out. */
  function startLoop(beforeCommit: (n: number) => Promise<void> = () => Promise.resolve()) {
    const real = f.tasks.scheduling;
    const committed: string[] = [];
    const readsAhead: HeadsInFlight[] = [];
    let commits = 0;
    const tasks = Object.create(real) as TaskSchedulingStore;
    tasks.readHeads = (limits, opts, now, ahead, inFlight) => {
      const f0 = inFlight?.get('echo');
      if (f0 !== undefined) readsAhead.push(f0);
      return real.readHeads(limits, opts, now, ahead, inFlight);
    };
    tasks.assignAndHint = async (...args) => {
      await beforeCommit(++commits);
      const out = await real.assignAndHint(...args);
      for (const r of out.results) if (r.ok) committed.push(r.taskId);
      return out;
    };
    const config = loadConfig({ SCHEDULER_BATCH_SIZE: String(BATCH) });
    loop = leadingLoop({ tasks, nodes: f.nodes, strategies, config, lease: () => lease }).loop;
    loop.wake();
    return { committed, readsAhead };
  }

  async function queued(n: number, priority = 0): Promise<string[]> {
    const outcomes = await f.tasks.submit(Array.from({ length: n }, () => f.spec({ priority })));
    return outcomes.map((o) => o.id);
  }

  const idle = () => (loop as unknown as { running: boolean }).running === false;

  /** Waits until `count` tasks are committed and the loop has stopped, and checks that it read ahead. */
  async function settled(run: { committed: string[]; readsAhead: unknown[] }, count: number) {
    await waitFor(
      () => run.committed.length,
      (n) => n === count,
      { what: `${count} tasks committed` },
    );
    await waitFor(idle, (v) => v, { what: 'the loop to stop' });
    expect(run.readsAhead.length).toBeGreaterThan(0);
  }

  async function usedSlots(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const n of await f.nodes.list()) out[n.id] = n.used.slots;
    return out;
  }

  async function statesOf(ids: string[]): Promise<string[]> {
    return (await f.tasks.getMany(ids)).map((v) => v?.state ?? 'gone');
  }

  it('reads passes ahead and assigns every task once, in queue order', async () => {
    const ids = await queued(42);
    await f.nodes.register(f.registration('n1', 100));
    await f.nodes.register(f.registration('n2', 100));
    const run = startLoop();
    await settled(run, ids.length);
    expect(run.committed).toEqual(ids);
    expect(new Set(await statesOf(ids))).toEqual(new Set(['assigned']));
    const views = await f.tasks.getMany(ids);
    expect(views.every((v) => v?.attempts === 1)).toBe(true);
    const used = await usedSlots();
    expect(used.n1 + used.n2).toBe(ids.length);
  });

  it('stays within each node’s slots while passes are read ahead', async () => {
    const ids = await queued(40);
    await f.nodes.register(f.registration('n1', 12));
    await f.nodes.register(f.registration('n2', 13));
    const run = startLoop();
    await settled(run, 25);
    expect(await usedSlots()).toEqual({ n1: 12, n2: 13 });
    expect(run.committed).toEqual(ids.slice(0, 25));
    expect(await statesOf(ids.slice(25))).toEqual(ids.slice(25).map(() => 'queued'));
  });

  it('takes a task that went ahead and skips one cancelled while passes were in flight', async () => {
    const ids = await queued(30);
    await f.nodes.register(f.registration('n1', 100));
    let urgent: string[] = [];
    const cancelled = ids[12];
    const run = startLoop(async (n) => {
      if (n !== 2) return;
      urgent = await queued(2, 100);
      expect((await f.tasks.cancel(cancelled)).ok).toBe(true);
    });
    const expected = ids.length - 1 + 2;
    await settled(run, expected);
    expect(run.committed).not.toContain(cancelled);
    expect(new Set(run.committed).size).toBe(expected);
    expect([...run.committed].sort()).toEqual(
      [...ids.filter((id) => id !== cancelled), ...urgent].sort(),
    );
    expect(await statesOf([cancelled])).toEqual(['cancelled']);
    expect((await usedSlots()).n1).toBe(expected);
  });

  it('commits nothing it read ahead once another leader holds the lease', async () => {
    const ids = await queued(30);
    await f.nodes.register(f.registration('n1', 100));
    const run = startLoop(async (n) => {
      if (n !== 2) return;
      await f.leader.release(lease);
      const other = await f.leader.acquire('other', 60_000);
      expect(other).not.toBeNull();
    });
    await waitFor(idle, (v) => v && run.committed.length > 0, { what: 'the loop to stop' });
    expect(run.readsAhead.length).toBeGreaterThan(0);
    expect(run.committed).toEqual(ids.slice(0, BATCH));
    expect(await statesOf(ids.slice(BATCH))).toEqual(ids.slice(BATCH).map(() => 'queued'));
    expect((await usedSlots()).n1).toBe(BATCH);
  });
});
