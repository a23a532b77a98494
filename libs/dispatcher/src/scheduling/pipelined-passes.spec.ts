import { SchedulerRegistry } from '@nestjs/schedule';
import {
  loadConfig,
  NotLeaderError,
  type AssignmentDecision,
  type HeadsInFlight,
  type NodeStore,
  type NodeView,
  type QueueHead,
  type TaskSchedulingStore,
} from '@switchyard/core';
import type { LeaderLease } from '../leadership/leader-lease';
import { AssignmentLoop } from './assignment-loop';
import { ClusterState } from './cluster-state';
import { PassPlanner } from './pass-planner';
import { StandbyBook } from './standby-book';
import { StandbyPlanner } from './standby-planner';
import { firstCandidateStrategies } from './leading-loop.fixture';
import { nodeView } from './node-view.fixture';

const BATCH = 5;
const LEASE = '1:me';
const strategies = firstCandidateStrategies;

const node = (id: string): NodeView => nodeView(id, { slots: 100 });

const head = (id: string, at: number): QueueHead =>
  ({ type: 'echo', id, header: { s: 'queued', ty: 'echo', pr: 0, sl: 1, c: at } }) as QueueHead;

/**
 * Redis as the loop sees it, in memory: one queue, read-heads' in-flight rule (read past the
 * first `count` heads while the queue starts with `first` and has `last` at `count`, else from
 * the front, `count` more), a commit that assigns under the lease. Replies come a macrotask
 * later, as over a socket; `log` is the order in which Redis ran and answered.
 */
class FakeRedis {
  queue: string[] = [];
  lease = LEASE;
  drained = new Set<string>();
  assigned: AssignmentDecision[] = [];
  log: string[] = [];
  version = 1;
  readonly nodes = [node('n1'), node('n2')];
  /** Runs before a commit is applied (its 1-based number, its decisions). */
  beforeCommit: (n: number, decisions: readonly AssignmentDecision[]) => Promise<void> = () =>
    Promise.resolve();
  private commits = 0;

  readonly tasks = {
    readHeads: (
      limits: ReadonlyMap<string, number>,
      _opts: unknown,
      _now?: number,
      _ahead?: unknown,
      inFlight?: ReadonlyMap<string, HeadsInFlight>,
    ) => {
      this.log.push(inFlight === undefined ? 'read' : 'read ahead');
      let limit = limits.get('echo') ?? 0;
      let from = 0;
      const f = inFlight?.get('echo');
      if (f !== undefined) {
        if (this.queue[0] === f.first && this.queue[f.count - 1] === f.last) from = f.count;
        else limit += f.count;
      }
      const heads = this.queue.slice(from, from + limit).map((id) => head(id, Number(id.slice(1))));
      return this.later(() => {
        this.log.push('read reply');
        return {
          promoted: 0,
          nextDueAt: null,
          depths: new Map(),
          heads,
          nodesVersion: 1,
          resolving: 0,
        };
      });
    },
    assignAndHint: async (lease: string, decisions: readonly AssignmentDecision[]) => {
      this.log.push('commit');
      await this.beforeCommit(++this.commits, decisions);
      if (lease !== this.lease) throw new NotLeaderError();
      const results = decisions.map((d) => {
        const at = this.queue.indexOf(d.taskId);
        if (this.drained.has(d.nodeId) || at < 0)
          return { ok: false as const, taskId: d.taskId, nodeId: d.nodeId, reason: 'node' };
        this.queue.splice(at, 1);
        this.assigned.push(d);
        return { ...d, ok: true as const, lease: 1, attempt: 1, announced: true };
      });
      return this.later(() => ({ results, hinted: [] as boolean[] }));
    },
  } as unknown as TaskSchedulingStore;

  readonly registry = {
    version: () => Promise.resolve(this.version),
    list: () =>
      Promise.resolve(
        this.nodes.map((n) => ({
          ...n,
          status: this.drained.has(n.id) ? ('draining' as const) : n.status,
          used: { ...n.used, slots: this.assigned.filter((d) => d.nodeId === n.id).length },
        })),
      ),
  } as unknown as NodeStore;

  private later<T>(reply: () => T): Promise<T> {
    return new Promise((resolve) => setImmediate(() => resolve(reply())));
  }
}

describe('pipelined scheduling passes', () => {
  let redis: FakeRedis;
  let loop: AssignmentLoop;
  let cluster: ClusterState;
  let renewals: number;

  beforeEach(() => {
    const config = loadConfig({ SCHEDULER_BATCH_SIZE: String(BATCH) });
    redis = new FakeRedis();
    renewals = 0;
    cluster = new ClusterState(redis.registry);
    const standby = new StandbyPlanner(new StandbyBook(), strategies, config);
    const lease = {
      isLeader: true,
      leaseValue: LEASE,
      onElected: () => undefined,
      renew: () => {
        renewals++;
        return Promise.resolve();
      },
    } as unknown as LeaderLease;
    const planner = new PassPlanner(redis.tasks, cluster, strategies, standby, config);
    loop = new AssignmentLoop(
      redis.tasks,
      cluster,
      planner,
      lease,
      new SchedulerRegistry(),
      standby,
      config,
    );
  });

  afterEach(() => loop.onApplicationShutdown());

  function queued(n: number): string[] {
    redis.queue = Array.from({ length: n }, (_, i) => `t${String(i).padStart(3, '0')}`);
    return [...redis.queue];
  }

  /** Wakes the loop and waits until its run is over (nothing left running). */
  async function runLoop(): Promise<void> {
    loop.wake();
    const state = loop as unknown as { running: boolean; wakePending: boolean };
    for (let i = 0; i < 1000 && (state.running || state.wakePending); i++)
      await new Promise((r) => setImmediate(r));
    expect(state.running || state.wakePending).toBe(false);
  }

  const usedSlots = (): number => {
    let sum = 0;
    for (const n of cluster.peek().nodes.values()) sum += n.used.slots;
    return sum;
  };

  it('reads each full pass ahead, commits after that read is answered, every task once in order', async () => {
    const ids = queued(12);
    await runLoop();
    expect(redis.assigned.map((d) => d.taskId)).toEqual(ids);
    expect(redis.log).toEqual([
      'read',
      'read reply',
      // pass 2 is read past the heads pass 1 commits, and planned while that commit runs
      'read ahead',
      'read reply',
      'commit',
      'read ahead',
      'read reply',
      'commit',
      // pass 3 decided 2 of 5: the queue ran short, no read ahead, and the loop stops
      'commit',
    ]);
    expect(usedSlots()).toBe(12);
  });

  it('stops after a refused commit (NOTLEADER) and commits nothing it read ahead', async () => {
    const ids = queued(17);
    redis.beforeCommit = (n) => {
      if (n === 2) redis.lease = '2:other';
      return Promise.resolve();
    };
    await runLoop();
    expect(redis.log.filter((op) => op === 'commit').length).toBe(2);
    expect(redis.log.filter((op) => op === 'read ahead').length).toBe(2);
    expect(renewals).toBe(1);
    expect(redis.assigned.map((d) => d.taskId)).toEqual(ids.slice(0, 5));
    // pass 3, read ahead while commit 2 ran, is dropped: its capacity given back (commit 2's
    // stays until the re-read its refusal asked for, as ever)
    expect(usedSlots()).toBe(10);
    expect(cluster.due()).toBe(true);
    await cluster.current();
    expect(usedSlots()).toBe(5);
  });

  it('reads afresh after a commit that skipped decisions (a node drained under it)', async () => {
    const ids = queued(17);
    let drained = '';
    redis.beforeCommit = (n, decisions) => {
      if (n === 2) redis.drained.add((drained = decisions[0].nodeId));
      return Promise.resolve();
    };
    await runLoop();
    const ops = redis.log.filter((op) => op !== 'read reply');
    // commit 2 came back unclean: pass 3, read ahead, is dropped and read again from the front
    expect(ops.slice(0, 6)).toEqual([
      'read',
      'read ahead',
      'commit',
      'read ahead',
      'commit',
      'read',
    ]);
    expect([...redis.assigned.map((d) => d.taskId)].sort()).toEqual(ids);
    expect(redis.assigned.slice(5).every((d) => d.nodeId !== drained)).toBe(true);
    expect(usedSlots()).toBe(redis.assigned.filter((d) => d.nodeId !== drained).length);
  });
});
