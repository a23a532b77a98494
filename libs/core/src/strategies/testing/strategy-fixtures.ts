import type { NodeCandidate, SchedulableTask, StrategyContext } from '../assignment-strategy';

/** Shared fixtures of the strategy specs (not part of the package: excluded from the build). */
export const fixedContext = (
  allNodeIds: string[] = [],
  random: () => number = () => 0.5,
): StrategyContext => ({
  now: 0,
  random,
  allNodeIds,
});

export const taskNeeding = (
  slots = 1,
  cpu = 0,
  memoryMb = 0,
  extra: Partial<SchedulableTask> = {},
): SchedulableTask => ({
  id: 't',
  type: 'echo',
  priority: 0,
  requirements: { slots, cpu, memoryMb, labels: {} },
  queuedAt: 0,
  ...extra,
});

/** A node by [slots, cpu, memoryMb] capacity and use. */
export const nodeWith = (
  id: string,
  cap: [number, number, number] = [4, 1000, 1024],
  used: [number, number, number] = [0, 0, 0],
): NodeCandidate => ({
  id,
  incarnation: 1,
  labels: {},
  capacity: { slots: cap[0], cpu: cap[1], memoryMb: cap[2] },
  used: { slots: used[0], cpu: used[1], memoryMb: used[2] },
});

/** A node of `slots` slots with `usedSlots` in use (the least-loaded specs' only variable). */
export const nodeWithSlots = (id: string, usedSlots: number, slots: number): NodeCandidate =>
  nodeWith(id, [slots, 1000, 1024], [usedSlots, 0, 0]);
