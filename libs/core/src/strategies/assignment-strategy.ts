import { DiscoveryService } from '@nestjs/core';
import type { NodeCapacity } from '../node/node.model';
import type { TaskRequirements } from '../task/task.model';

/** A task as a strategy sees it. */
export interface SchedulableTask {
  id: string;
  type: string;
  priority: number;
  requirements: TaskRequirements;
  affinityKey?: string;
  queuedAt: number;
}

/** An eligible node with room for the task; `used` includes decisions made earlier in this tick. */
export interface NodeCandidate {
  id: string;
  incarnation: number;
  labels: Readonly<Record<string, string>>;
  capacity: Readonly<NodeCapacity>;
  used: Readonly<NodeCapacity>;
}

export interface StrategyContext {
  now: number;
  /** Uniform in [0, 1); seeded per tick so a replay decides the same. */
  random(): number;
  /** Every alive, non-draining node id, for strategies that place by cluster shape (affinity). */
  allNodeIds: readonly string[];
}

/**
 * Chooses one node among the candidates, or null to leave the task queued. Pure and
 * synchronous: the dispatcher gathers the snapshot and commits the decision.
 */
export interface AssignmentStrategy {
  select(
    task: SchedulableTask,
    candidates: readonly NodeCandidate[],
    ctx: StrategyContext,
  ): NodeCandidate | null;
}

/** Token of the default strategy instance (overridable like any provider). */
export const ASSIGNMENT_STRATEGY = Symbol('ASSIGNMENT_STRATEGY');

const StrategyMeta = DiscoveryService.createDecorator<{ name: string }>();

/** Marks an @Injectable() class as the assignment strategy `name`; the dispatcher finds it at start. */
export function Strategy(name: string): ClassDecorator {
  return StrategyMeta({ name });
}
Strategy.META = StrategyMeta;

export function slotLoad(node: NodeCandidate): number {
  return node.capacity.slots === 0 ? 1 : node.used.slots / node.capacity.slots;
}
