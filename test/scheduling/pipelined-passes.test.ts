import { SchedulerRegistry } from '@nestjs/schedule';
import {
  loadConfig,
  type AssignmentStrategy,
  type NodeCandidate,
  type TaskStore,
} from '@switchyard/core';
import type { LeaderLease } from '../../libs/dispatcher/src/leadership/leader-lease';
import { AssignmentLoop } from '../../libs/dispatcher/src/scheduling/assignment-loop';
import { ClusterState } from '../../libs/dispatcher/src/scheduling/cluster-state';
import { PassPlanner } from '../../libs/dispatcher/src/scheduling/pass-planner';
import { StandbyBook } from '../../libs/dispatcher/src/scheduling/standby-book';
import { StandbyPlanner } from '../../libs/dispatcher/src/scheduling/standby-planner';
import type { StrategyRegistry } from '../../libs/dispatcher/src/scheduling/strategy-registry';
import { StoreFixture, useLeadingFixture } from '../support/store-fixture';
import { waitFor } from '../support/wait-for';

const BATCH = 5;
const firstCandidate: AssignmentStrategy = {
  select: (_task: unknown, candidates: readonly NodeCandidate[]) => candidates[0] ?? null,
};
const strategies = { resolve: () => firstCandidate } as unknown as StrategyRegistry;

/**
 * The leader's loop against a real Redis: a full pass reads and plans the next one while its
 * commit runs. Every task is assigned once, in queue order, and a commit that is refused or
 * skips decisions leaves no pass read ahead behind.
 */
describe('pipelined scheduling passes (real Redis)', () => {
  let f: StoreFixture;
  let leaseValue: string;
  let loop: AssignmentLoop;
  let cluster: ClusterState;
  let renewals: number;
  let reads: { inFlight: boolean }[];
  let commits: { nodeId: string; taskId: string }[][];
  /** Runs before a commit goes out (its 1-based number, its decisions). */
  let beforeCommit: (n: number, decisions: readonly { nodeId: string }[]) => Promise<void>;

  useLeadingFixture((fixture, value) => {
    f = fixture;
    leaseValue = value;
  });

  beforeEach(() => {
    const config = loadConfig({ SCHEDULER_BATCH_SIZE: String(BATCH), AGING_STEP_MS: '1000' });
    renewals = 0;
    reads = [];
    commits = [];
    beforeCommit = async () => undefined;
    const tasks = f.tasks;
    const spied = Object.create(tasks) as TaskStore;
    spied.readHeads = (...args: Parameters<TaskStore['readHeads']>) => {
      reads.push({ inFlight: args[4] !== undefined });
      return tasks.readHeads(...args);
    };
    spied.assignAndHint = async (...args: Parameters<TaskStore['assignAndHint']>) => {
      commits.push(args[1].map((d) => ({ nodeId: d.nodeId, taskId: d.taskId })));
      await beforeCommit(commits.length, args[1]);
      return tasks.assignAndHint(...args);
    };
    cluster = new ClusterState(f.nodes);
    const standby = new StandbyPlanner(new StandbyBook(), strategies, config);
    const lease = {
      isLeader: true,
      get leaseValue() {
        return leaseValue;
      },
      onElected: () => undefined,
      renew: async () => {
        renewals++;
      },
    } as unknown as LeaderLease;
    const planner = new PassPlanner(spied, cluster, strategies, standby, config);
    loop = new AssignmentLoop(
      spied,
      cluster,
      planner,
      lease,
      new SchedulerRegistry(),
      standby,
      config,
    );
  });

  afterEach(() => loop.onApplicationShutdown());

  async function queued(n: number): Promise<string[]> {
    const outcomes = await f.tasks.submit(Array.from({ length: n }, () => f.spec()));
    return outcomes.map((o) => o.id);
  }

  /** Wakes the loop and waits until its run is over (nothing left running). */
  async function runLoop(): Promise<void> {
    loop.wake();
    const state = loop as unknown as { running: boolean; wakePending: boolean };
    await waitFor(
      () => state.running || state.wakePending,
      (busy) => !busy,
      { what: 'the loop to finish its run' },
    );
  }

  const states = async (ids: string[]): Promise<string[]> =>
    (await f.tasks.getMany(ids)).map((v) => `${v.state}/${v.attempts}`);

  const usedSlots = (): number => {
    let sum = 0;
    for (const node of cluster.peek().nodes.values()) sum += node.used.slots;
    return sum;
  };

  it('assigns every task once, in queue order, reading each full pass ahead of the commit before it', async () => {
    await f.nodes.register(f.registration('n1', 100));
    const ids = await queued(12);
    await runLoop();
    expect(commits.flat().map((d) => d.taskId)).toEqual(ids);
    expect(commits.map((c) => c.length)).toEqual([5, 5, 2]);
    // pass 1 read on its own; 2 and 3 ahead of the commit before them; the short pass 3 does not
    // read ahead (the queue ran short) and the loop stops
    expect(reads).toEqual([{ inFlight: false }, { inFlight: true }, { inFlight: true }]);
    expect(new Set(await states(ids))).toEqual(new Set(['assigned/1']));
    expect(usedSlots()).toBe(12);
  });

  it('stops after a refused commit (NOTLEADER) and commits nothing it read ahead', async () => {
    await f.nodes.register(f.registration('n1', 100));
    const ids = await queued(17);
    beforeCommit = async (n) => {
      if (n !== 2) return;
      await f.leader.release(leaseValue);
      await f.leader.acquire('other', 60_000);
    };
    await runLoop();
    expect(commits.length).toBe(2);
    expect(renewals).toBe(1);
    // pass 3 was read and planned while commit 2 ran: dropped, its capacity given back
    expect(reads.length).toBe(3);
    expect(await states(ids)).toEqual([
      ...Array<string>(5).fill('assigned/1'),
      ...Array<string>(12).fill('queued/0'),
    ]);
    // commit 2's own reservations stay until the re-read its refusal asked for (as ever); pass
    // 3's, read ahead, are gone
    expect(usedSlots()).toBe(10);
    expect(cluster.due()).toBe(true);
    await cluster.current();
    expect(usedSlots()).toBe(5);
  });

  it('reads afresh after a commit that skipped decisions (a node drained while it was in flight)', async () => {
    const inc1 = await f.nodes.register(f.registration('n1', 100));
    const inc2 = await f.nodes.register(f.registration('n2', 100));
    const incarnations: Record<string, number> = { n1: inc1, n2: inc2 };
    const ids = await queued(17);
    let drained = '';
    beforeCommit = async (n, decisions) => {
      if (n !== 2) return;
      drained = decisions[0].nodeId;
      await f.nodes.drain(drained, incarnations[drained]);
    };
    await runLoop();
    // commit 2 was refused on the drained node: pass 3, read ahead, is dropped and read again
    const sent = commits.flat();
    expect(sent.slice(5, 10).every((d) => d.nodeId === drained)).toBe(true);
    expect(reads.slice(0, 4)).toEqual([
      { inFlight: false },
      { inFlight: true },
      { inFlight: true },
      { inFlight: false },
    ]);
    expect(sent.slice(10).every((d) => d.nodeId !== drained)).toBe(true);
    const views = await f.tasks.getMany(ids);
    expect(views.map((v) => `${v.state}/${v.attempts}`)).toEqual(
      Array<string>(17).fill('assigned/1'),
    );
    // the second batch went to the other node once the first came back to the queue
    expect(new Set(views.slice(5, 10).map((v) => v.node))).toEqual(
      new Set([drained === 'n1' ? 'n2' : 'n1']),
    );
    // the leader's picture (alive nodes only) holds what Redis holds
    expect(usedSlots()).toBe(views.filter((v) => v.node !== drained).length);
  });
});
