/** One synthetic heterogeneous workload, the same for every strategy (seeded). */
import type { NodeCapacity } from '@switchyard/core';

export interface SimTask {
  id: string;
  arrival: number;
  duration: number;
  slots: number;
  cpu: number;
  memoryMb: number;
  affinityKey: string;
}

export interface SimNode {
  id: string;
  capacity: NodeCapacity;
}

/** mulberry32: small and reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)];

/** 24 nodes: small, medium and large machines. */
export function makeNodes(): SimNode[] {
  const sizes: [string, number, NodeCapacity][] = [
    ['small', 8, { slots: 4, cpu: 4000, memoryMb: 8192 }],
    ['medium', 10, { slots: 8, cpu: 8000, memoryMb: 16384 }],
    ['large', 6, { slots: 16, cpu: 16000, memoryMb: 65536 }],
  ];
  const nodes: SimNode[] = [];
  for (const [name, count, capacity] of sizes) {
    for (let i = 0; i < count; i++)
      nodes.push({ id: `${name}-${String(i).padStart(2, '0')}`, capacity });
  }
  return nodes;
}

/**
 * `n` tasks: mostly short, some medium, a few long (durations in ms of simulated time); cpu
 * from a quarter core to four cores, memory from 256 MB to 16 GB, one or two slots; arrivals
 * spread so the offered load is `load` × the cluster's cpu. Above 1 the queue builds up, so
 * the makespan measures how well a strategy packs, not when the last task arrived.
 */
export function makeTasks(n: number, nodes: readonly SimNode[], load = 1.5, seed = 42): SimTask[] {
  const r = rng(seed);
  const tasks: SimTask[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r();
    const duration =
      kind < 0.7 ? 50 + r() * 150 : kind < 0.95 ? 200 + r() * 800 : 1000 + r() * 3000;
    tasks.push({
      id: `t${String(i).padStart(5, '0')}`,
      arrival: 0,
      duration: Math.round(duration),
      slots: r() < 0.85 ? 1 : 2,
      cpu: pick(r, [250, 500, 1000, 1000, 2000, 4000]),
      memoryMb: pick(r, [256, 512, 1024, 1024, 2048, 4096, 16384]),
      affinityKey: `key-${Math.floor(r() * 100)}`,
    });
  }
  const cpuCapacity = nodes.reduce((s, nd) => s + nd.capacity.cpu, 0);
  const cpuWork = tasks.reduce((s, t) => s + t.cpu * t.duration, 0);
  const window = cpuWork / (cpuCapacity * load);
  let t = 0;
  for (const task of tasks) {
    task.arrival = Math.round(t);
    t += (-Math.log(1 - r()) * window) / n; // Poisson arrivals over the window
  }
  return tasks;
}

/** Total work / total capacity, on the resource that binds hardest: no schedule can finish sooner. */
export function lowerBound(tasks: readonly SimTask[], nodes: readonly SimNode[]): number {
  const cap = { slots: 0, cpu: 0, memoryMb: 0 };
  const work = { slots: 0, cpu: 0, memoryMb: 0 };
  for (const nd of nodes) {
    cap.slots += nd.capacity.slots;
    cap.cpu += nd.capacity.cpu;
    cap.memoryMb += nd.capacity.memoryMb;
  }
  for (const t of tasks) {
    work.slots += t.slots * t.duration;
    work.cpu += t.cpu * t.duration;
    work.memoryMb += t.memoryMb * t.duration;
  }
  return Math.max(work.slots / cap.slots, work.cpu / cap.cpu, work.memoryMb / cap.memoryMb);
}
