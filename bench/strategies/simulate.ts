/** Replays a workload through one strategy's real select(), with the dispatcher's eligibility check. */
import {
  hasRoom,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
} from '@switchyard/core';
import { rng, type SimNode, type SimTask } from './workload';

export interface SimResult {
  makespan: number;
  meanWait: number;
  p99Wait: number;
  /** Utilisation of each node over the makespan, on its most used resource (0..1). */
  loads: number[];
}

interface Running {
  end: number;
  node: NodeCandidate & { used: { slots: number; cpu: number; memoryMb: number } };
  task: SimTask;
}

/**
 * Discrete-event simulation: at each arrival or completion, the waiting tasks are offered in
 * arrival order to the strategy (candidates = nodes with room now); a task with no candidate,
 * or that the strategy leaves, waits without blocking the ones behind it — as the planner does.
 */
export function simulate(
  strategy: AssignmentStrategy,
  tasks: readonly SimTask[],
  simNodes: readonly SimNode[],
  seed = 7,
): SimResult {
  const nodes = simNodes.map((n) => ({
    id: n.id,
    incarnation: 1,
    labels: {},
    capacity: n.capacity,
    used: { slots: 0, cpu: 0, memoryMb: 0 },
  }));
  const allNodeIds = nodes.map((n) => n.id);
  const random = rng(seed);
  // resource × time used per node, per resource
  const busy = new Map(nodes.map((n) => [n.id, { slots: 0, cpu: 0, memoryMb: 0 }]));
  const waiting: SimTask[] = [];
  const running: Running[] = [];
  const waits: number[] = [];
  let next = 0;
  let now = 0;
  let makespan = 0;

  while (next < tasks.length || waiting.length > 0 || running.length > 0) {
    const nextArrival = next < tasks.length ? tasks[next].arrival : Infinity;
    const nextEnd = running.length > 0 ? running[0].end : Infinity;
    now = Math.min(nextArrival, nextEnd);
    while (running.length > 0 && running[0].end <= now) {
      const { node, task } = running.shift() as Running;
      node.used.slots -= task.slots;
      node.used.cpu -= task.cpu;
      node.used.memoryMb -= task.memoryMb;
      makespan = Math.max(makespan, now);
    }
    while (next < tasks.length && tasks[next].arrival <= now) waiting.push(tasks[next++]);

    for (let i = 0; i < waiting.length; i++) {
      if (!nodes.some((n) => n.used.slots < n.capacity.slots)) break; // every slot taken
      const t = waiting[i];
      const candidates = nodes.filter((n) => hasRoom(n.capacity, n.used, t));
      if (candidates.length === 0) continue;
      const task: SchedulableTask = {
        id: t.id,
        type: 'work',
        priority: 0,
        requirements: { slots: t.slots, cpu: t.cpu, memoryMb: t.memoryMb, labels: {} },
        affinityKey: t.affinityKey,
        queuedAt: t.arrival,
      };
      const chosen = strategy.select(task, candidates, { now, random, allNodeIds });
      if (chosen === null) continue;
      const node = nodes.find((n) => n.id === chosen.id) as Running['node'];
      node.used.slots += t.slots;
      node.used.cpu += t.cpu;
      node.used.memoryMb += t.memoryMb;
      const used = busy.get(node.id) as { slots: number; cpu: number; memoryMb: number };
      used.slots += t.slots * t.duration;
      used.cpu += t.cpu * t.duration;
      used.memoryMb += t.memoryMb * t.duration;
      waits.push(now - t.arrival);
      const end = now + t.duration;
      let at = running.length;
      while (at > 0 && running[at - 1].end > end) at--;
      running.splice(at, 0, { end, node, task: t });
      waiting.splice(i--, 1);
    }
  }
  waits.sort((a, b) => a - b);
  return {
    makespan,
    meanWait: waits.reduce((s, w) => s + w, 0) / waits.length,
    p99Wait: waits[Math.min(waits.length - 1, Math.floor(waits.length * 0.99))],
    loads: nodes.map((n) => {
      const u = busy.get(n.id) as { slots: number; cpu: number; memoryMb: number };
      const c = n.capacity;
      return Math.max(u.slots / c.slots, u.cpu / c.cpu, u.memoryMb / c.memoryMb) / makespan;
    }),
  };
}
