import { SchedulerRegistry } from '@nestjs/schedule';
import type {
  AssignmentStrategy,
  NodeCandidate,
  NodeStore,
  SwitchyardConfig,
  TaskSchedulingStore,
} from '@switchyard/core';
import type { LeaderLease } from '../leadership/leader-lease';
import { AssignmentLoop } from './assignment-loop';
import { ClusterState } from './cluster-state';
import { PassPlanner } from './pass-planner';
import { StandbyBook } from './standby-book';
import { StandbyPlanner } from './standby-planner';
import type { StrategyRegistry } from './strategy-registry';

/** A strategy that picks the first candidate: the tests' node choice is then known. */
const firstCandidate: AssignmentStrategy = {
  select: (_task: unknown, candidates: readonly NodeCandidate[]) => candidates[0] ?? null,
};

/** Strategies that resolve every task to firstCandidate and let every submit through. */
export const firstCandidateStrategies = {
  resolve: () => firstCandidate,
  assertSubmittable: () => undefined,
} as unknown as StrategyRegistry;

/**
 * The leader's assignment loop wired as the dispatcher module wires it, for tests on real Redis:
 * `tasks` (often a stand-in that counts or delays the store's calls), a leader that always
 * leads with the lease value `lease()` gives, and the cluster picture of `nodes`.
 */
export function leadingLoop(opts: {
  tasks: TaskSchedulingStore;
  nodes: NodeStore;
  strategies: StrategyRegistry;
  config: SwitchyardConfig;
  lease: () => string;
}): { loop: AssignmentLoop; cluster: ClusterState; standby: StandbyPlanner } {
  const { tasks, strategies, config } = opts;
  const cluster = new ClusterState(opts.nodes);
  const standby = new StandbyPlanner(new StandbyBook(), strategies, config);
  const leader = {
    isLeader: true,
    get leaseValue() {
      return opts.lease();
    },
    onElected: () => undefined,
    renew: () => Promise.resolve(),
  } as unknown as LeaderLease;
  const planner = new PassPlanner(tasks, cluster, strategies, standby, config);
  const loop = new AssignmentLoop(
    tasks,
    cluster,
    planner,
    leader,
    new SchedulerRegistry(),
    standby,
    config,
  );
  return { loop, cluster, standby };
}
