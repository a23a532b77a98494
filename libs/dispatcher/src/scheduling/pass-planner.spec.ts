import {
  loadConfig,
  type AssignmentStrategy,
  type NodeCandidate,
  type NodeStore,
  type NodeView,
  type QueueHead,
  type TaskSchedulingStore,
} from '@switchyard/core';
import { ClusterState } from './cluster-state';
import { PassPlanner } from './pass-planner';
import { StandbyBook } from './standby-book';
import { StandbyPlanner } from './standby-planner';
import type { StrategyRegistry } from './strategy-registry';
import { nodeView } from './node-view.fixture';

const LEASE = '1:me';

const head = (id: string, type: string, at: number): QueueHead =>
  ({ type, id, header: { s: 'queued', ty: type, pr: 0, sl: 1, c: at } }) as QueueHead;

/** Counts the strategy's calls: a head the plan for now looks at with candidates asks it. */
class CountingStrategy implements AssignmentStrategy {
  calls = 0;
  select(_task: unknown, candidates: readonly NodeCandidate[]): NodeCandidate | null {
    this.calls++;
    return candidates[0] ?? null;
  }
}

describe('PassPlanner: the plan for now and the standby hints', () => {
  let heads: QueueHead[];
  let strategy: CountingStrategy;

  function planner(nodes: NodeView[], env: Record<string, string> = {}): PassPlanner {
    const config = loadConfig({ SCHEDULER_BATCH_SIZE: '50', ...env });
    strategy = new CountingStrategy();
    const strategies = { resolve: () => strategy } as unknown as StrategyRegistry;
    const registry = {
      version: () => Promise.resolve(1),
      list: () => Promise.resolve(nodes),
    } as unknown as NodeStore;
    const tasks = {
      readHeads: () =>
        Promise.resolve({
          promoted: 0,
          nextDueAt: null,
          depths: new Map(),
          heads,
          nodesVersion: 1,
          resolving: 0,
        }),
    } as unknown as TaskSchedulingStore;
    const cluster = new ClusterState(registry);
    const standby = new StandbyPlanner(new StandbyBook(), strategies, config);
    return new PassPlanner(tasks, cluster, strategies, standby, config);
  }

  async function pass(p: PassPlanner, nodes: NodeView[]) {
    const cluster = (p as unknown as { cluster: ClusterState }).cluster;
    const snapshot = await cluster.current();
    expect(snapshot.nodes.size).toBe(nodes.length);
    const read = await p.read(LEASE, snapshot);
    return read.planned;
  }

  it('with every slot taken, plans the heads as hints only, in queue order', async () => {
    heads = ['a1', 'a2', 'a3'].map((id, i) => head(id, 'echo', i));
    const nodes = [nodeView('n1', { slots: 2, usedSlots: 2 })];
    const fixedDepth = { STANDBY_DEPTH: '2', STANDBY_HORIZON_MS: '0' };
    const planned = await pass(planner(nodes, fixedDepth), nodes);
    expect(planned?.plan.decisions).toEqual([]);
    // the node holds hints for up to twice its slots (STANDBY_DEPTH 2, not by pace): all three
    expect(planned?.hints?.hints.map((h) => h.taskId)).toEqual(['a1', 'a2', 'a3']);
    expect(strategy.calls).toBe(3);
  });

  it('decides for now the heads of a type with a free slot, and hints the rest', async () => {
    // one type's nodes are full, the other's have a slot: the plan for now still runs
    heads = [head('e1', 'echo', 0), head('o1', 'other', 1), head('o2', 'other', 2)];
    const nodes = [
      nodeView('n1', { slots: 1, usedSlots: 1, types: ['echo'] }),
      nodeView('n2', { slots: 1, types: ['other'] }),
    ];
    const planned = await pass(planner(nodes), nodes);
    expect(planned?.plan.decisions.map((d) => [d.taskId, d.nodeId])).toEqual([['o1', 'n2']]);
    expect(planned?.hints?.hints.map((h) => [h.taskId, h.nodeId])).toEqual([
      ['e1', 'n1'],
      ['o2', 'n2'],
    ]);
  });
});
