import type { TaskState } from '@switchyard/core';
import type { ClusterState, TaskFacts } from './cluster-state';

export { readClusterState, countUnsettled } from './cluster-state';

const LEASED: readonly TaskState[] = ['assigned', 'running'];
const TERMINAL: readonly TaskState[] = ['succeeded', 'failed', 'cancelled'];

/** The index a task in `state` belongs to, spelled as `indexesHolding` spells it. */
function expectedIndex(t: TaskFacts): string {
  switch (t.state) {
    case 'queued':
      return `q:${t.type}`;
    case 'delayed':
      return 'delayed';
    case 'blocked':
      return 'blocked';
    case 'assigned':
    case 'running':
      return `nl:${t.node}`;
    case 'failed':
      return 'failed';
    case 'succeeded':
    case 'cancelled':
      return 'done';
  }
}

/** Every state index, by name, with its members (a member listed twice counts twice). */
function indexes(s: ClusterState): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const [type, ids] of s.queues) all.set(`q:${type}`, ids);
  for (const [node, ids] of s.leases) all.set(`nl:${node}`, ids);
  all.set('delayed', s.delayed);
  all.set('blocked', s.blocked);
  all.set('failed', s.failed);
  all.set('done', s.finished);
  return all;
}

export interface CheckOptions {
  /** Everything has settled: no live task, nothing leased, nothing left to resolve. */
  settled: boolean;
  /** The finished list is capped (FINISHED_LIST_CAP); below the cap it must list every finished task. */
  finishedListCap: number;
  /** Task types with a TYPE_LIMITS entry (their leases are tracked in `tl:<type>`). */
  limitedTypes: readonly string[];
}

/**
 * Every way the stored state can contradict itself; returns one line per violation (empty when
 * consistent). Works on a snapshot read in one script, so it holds while things move, too.
 */
export function checkConsistency(s: ClusterState, opts: CheckOptions): string[] {
  const problems: string[] = [];
  const holding = new Map<string, string[]>();
  for (const [name, ids] of indexes(s)) {
    for (const id of ids) {
      if (!s.tasks.has(id)) problems.push(`index ${name} holds ${id}, which has no record`);
      holding.set(id, [...(holding.get(id) ?? []), name]);
    }
  }
  const finishedCapped = s.finished.length >= opts.finishedListCap;

  for (const [id, t] of s.tasks) {
    const want = expectedIndex(t);
    const held = holding.get(id) ?? [];
    const ok =
      held.length === 1 ? held[0] === want : held.length === 0 && want === 'done' && finishedCapped;
    if (!ok) problems.push(`task ${id} is ${t.state} but indexed in [${held.join(', ')}]`);
    problems.push(...checkTask(id, t, opts.settled));
  }

  for (const [id, n] of s.nodes) {
    const mine = [...s.tasks.entries()].filter(
      ([, t]) => LEASED.includes(t.state) && t.node === id && t.incarnation === n.incarnation,
    );
    const sum = (f: (t: TaskFacts) => number): number => mine.reduce((a, [, t]) => a + f(t), 0);
    const used = [n.usedSlots, n.usedCpu, n.usedMemoryMb];
    const real = [sum((t) => t.slots), sum((t) => t.cpu), sum((t) => t.memoryMb)];
    if (used.join() !== real.join()) {
      problems.push(`node ${id} counts slots/cpu/memory ${used} in use, its tasks use ${real}`);
    }
    if (opts.settled && real.some((v) => v !== 0))
      problems.push(`node ${id} still holds ${mine.length} task(s)`);
  }
  const records = new Set(s.nodeRecords);
  for (const id of s.nodes.keys()) {
    if (!records.has(id)) problems.push(`node ${id} has a state but no description hash`);
  }
  for (const id of records) {
    if (!s.nodes.has(id)) problems.push(`node ${id} has a description hash but no state`);
  }
  for (const [node, ids] of s.leases) {
    if (!s.nodes.has(node) && ids.length > 0) problems.push(`lease index of unknown node ${node}`);
  }

  for (const type of opts.limitedTypes) {
    const booked = [...(s.typeLeases.get(type) ?? [])].sort();
    const real = [...s.tasks.entries()]
      .filter(([, t]) => t.type === type && LEASED.includes(t.state))
      .map(([id]) => id)
      .sort();
    if (booked.join() !== real.join()) {
      problems.push(`type ${type}: running bookkeeping [${booked}] but leased tasks [${real}]`);
    }
  }

  problems.push(...checkDependencies(s, opts.settled));
  for (const [key, id] of s.idempotency) {
    const t = s.tasks.get(id);
    if (t !== undefined && t.idempotencyKey !== key) {
      problems.push(`idempotency key ${key} names ${id}, whose key is ${t.idempotencyKey}`);
    }
  }
  return problems;
}

/** One record on its own: attempts within budget, lease fields, a history that fits the state. */
function checkTask(id: string, t: TaskFacts, settled: boolean): string[] {
  const problems: string[] = [];
  const say = (what: string): number => problems.push(`task ${id} (${t.state}): ${what}`);
  if (settled && !TERMINAL.includes(t.state)) say('not settled');
  if (t.attempts > t.maxAttempts) say(`attempts ${t.attempts} > maxAttempts ${t.maxAttempts}`);
  const leased = LEASED.includes(t.state);
  if (leased !== (t.node !== undefined && t.incarnation !== undefined))
    say('lease fields do not match the state');
  const last = t.history[t.history.length - 1];
  const open = t.history.filter((a) => a.outcome === undefined);
  if (leased) {
    if (last === undefined || last.outcome !== undefined || open.length !== 1)
      say('no single open attempt');
    else if (
      last.lease !== t.leaseSeq ||
      last.node !== t.node ||
      last.incarnation !== t.incarnation
    )
      say('the open attempt is not the current lease');
  } else if (open.length > 0) say(`${open.length} attempt(s) left open`);
  const successes = t.history.filter((a) => a.outcome === 'succeeded').length;
  if (t.state === 'succeeded' && (last?.outcome !== 'succeeded' || successes !== 1))
    say(`last outcome ${last?.outcome}, ${successes} success(es) recorded`);
  if (t.state !== 'succeeded' && successes > 0) say('a success is recorded');
  if (t.state === 'failed' && last === undefined && t.errorCode !== 'dependency')
    say(`failed without an attempt (error ${t.errorCode})`);
  if (t.state === 'failed' && last !== undefined && t.errorCode !== 'dependency') {
    if (!['failed', 'timeout', 'lost', 'expired'].includes(last.outcome ?? ''))
      say(`failed, but its last attempt ended ${last.outcome}`);
  }
  return problems;
}

/** Blocked tasks wait on exactly `waitingOn` dependencies; after settling nothing waits. */
function checkDependencies(s: ClusterState, settled: boolean): string[] {
  const problems: string[] = [];
  for (const id of s.blocked) {
    const t = s.tasks.get(id);
    if (t === undefined) continue;
    const registered = t.dependsOn.filter((d) => s.dependents.get(d)?.includes(id)).length;
    if (registered !== t.waitingOn) {
      problems.push(`blocked task ${id} waits on ${t.waitingOn}, registered with ${registered}`);
    }
  }
  if (settled) {
    if (s.resolving.length > 0) problems.push(`still resolving ${s.resolving.length} task(s)`);
    for (const [dep, waiting] of s.dependents) {
      if (waiting.length > 0) problems.push(`${waiting.length} task(s) still registered on ${dep}`);
    }
  }
  return problems;
}
