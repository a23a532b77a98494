/** n tasks into n nodes: one random choice against power-of-two (its real select()). */
import { PowerOfTwoStrategy, type NodeCandidate, type SchedulableTask } from '@switchyard/core';
import { rng } from './workload';

const task: SchedulableTask = {
  id: 'ball',
  type: 'work',
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  queuedAt: 0,
};

/** Most tasks on one node after placing n tasks on n nodes, one random node each. */
export function randomMaxLoad(n: number, seed: number): number {
  const r = rng(seed);
  const load = new Uint32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, ++load[Math.floor(r() * n)]);
  return max;
}

/** The same with PowerOfTwoStrategy deciding (node capacity large enough never to bind). */
export function powerOfTwoMaxLoad(n: number, seed: number): number {
  const capacity = { slots: n, cpu: 0, memoryMb: 0 };
  const nodes: NodeCandidate[] = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    incarnation: 1,
    labels: {},
    capacity,
    used: { slots: 0, cpu: 0, memoryMb: 0 },
  }));
  const strategy = new PowerOfTwoStrategy();
  const ctx = { now: 0, random: rng(seed), allNodeIds: [] };
  let max = 0;
  for (let i = 0; i < n; i++) {
    const chosen = strategy.select(task, nodes, ctx) as NodeCandidate & { used: { slots: number } };
    max = Math.max(max, ++chosen.used.slots);
  }
  return max;
}
