import {
  queueScore,
  type AssignmentDecision,
  type QueueHead,
  type SchedulableTask,
  type StrategyContext,
} from '@switchyard/core';
import type { ClusterSnapshot } from './cluster-snapshot';
import type { StrategyRegistry } from './strategy-registry';

export interface AssignmentPlan {
  decisions: AssignmentDecision[];
  /** Requirements of each decided task, to undo the reservation if the commit skips it. */
  reserved: Map<string, SchedulableTask['requirements']>;
  /** The type of each decided task, in the order of `decisions`. */
  types: string[];
  /** Tasks left queued this pass because their type reached a TYPE_LIMITS budget. */
  limited: number;
}

const NO_LABELS: Readonly<Record<string, never>> = Object.freeze({});

export function toSchedulable(head: QueueHead): SchedulableTask {
  const h = head.header;
  const task: SchedulableTask = {
    id: head.id,
    type: h.ty,
    priority: h.pr,
    requirements: {
      slots: h.sl,
      cpu: h.cpu ?? 0,
      memoryMb: h.mem ?? 0,
      labels: h.sel ?? NO_LABELS,
    },
    queuedAt: h.qa ?? h.c,
  };
  if (h.ak !== undefined) task.affinityKey = h.ak;
  return task;
}

/** A small, fast PRNG (mulberry32): a tick's random choices are reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Heads in queue order across types: lower score first, then id (FIFO for equal scores). */
export function inQueueOrder(
  heads: readonly QueueHead[],
  agingStepMs: number,
): readonly QueueHead[] {
  const scores = heads.map((head) =>
    queueScore(head.header.qa ?? head.header.c, head.header.pr, agingStepMs),
  );
  // one type's heads come from its sorted set in this order already: check before sorting
  let ordered = true;
  for (let i = 1; i < heads.length && ordered; i++)
    ordered = before(scores[i - 1], heads[i - 1].id, scores[i], heads[i].id);
  if (ordered) return heads;
  const at = heads.map((_, i) => i);
  at.sort((a, b) => (before(scores[a], heads[a].id, scores[b], heads[b].id) ? -1 : 1));
  return at.map((i) => heads[i]);
}

function before(scoreA: number, idA: string, scoreB: number, idB: string): boolean {
  return scoreA < scoreB || (scoreA === scoreB && idA < idB);
}

/**
 * One tick's decisions, in queue order across types (score = queuedAt − priority × aging).
 * Pure: reads the snapshot, asks each task's strategy, reserves capacity in the snapshot.
 * A task no node can take is skipped; the tasks behind it still get their turn. `typeBudget`
 * holds how many more tasks of each limited type may start now (TYPE_LIMITS); it is spent here.
 */
export function planAssignments(
  heads: readonly QueueHead[],
  snapshot: ClusterSnapshot,
  strategies: StrategyRegistry,
  agingStepMs: number,
  ctx: StrategyContext,
  limit: number,
  typeBudget: Map<string, number> = new Map(),
): AssignmentPlan {
  const decisions: AssignmentDecision[] = [];
  const reserved = new Map<string, SchedulableTask['requirements']>();
  const types: string[] = [];
  let limited = 0;
  for (const head of inQueueOrder(heads, agingStepMs)) {
    if (decisions.length >= limit) break;
    const budget = typeBudget.get(head.type);
    if (budget !== undefined && budget <= 0) {
      limited++;
      continue;
    }
    const task = toSchedulable(head);
    const candidates = snapshot.candidatesFor(task.type, task.requirements);
    if (candidates.length === 0) continue;
    const chosen = strategies.resolve(head.header.st, task.type).select(task, candidates, ctx);
    if (chosen === null) continue;
    const node = snapshot.nodes.get(chosen.id);
    if (node === undefined) continue;
    snapshot.reserve(node.id, task.requirements);
    decisions.push({ taskId: task.id, nodeId: node.id, incarnation: node.incarnation });
    reserved.set(task.id, task.requirements);
    types.push(task.type);
    if (budget !== undefined) typeBudget.set(head.type, budget - 1);
  }
  return { decisions, reserved, types, limited };
}
