import { describeProblem } from '../messaging/message-schema';
import { ASSIGNED_TASKS, type AssignedTask } from '../messaging/messages';
import type { ScriptArg } from './lua-scripts';
import type { HeadsInFlight } from './task-store.types';

/** Standby hints for assign.lua to write (STANDBY_ASSIGNMENTS; see scripts/_standby.lua). */
export interface StandbyHints {
  /** In the order each node is to take them. */
  hints: readonly { taskId: string; nodeId: string; incarnation: number }[];
  /** How long a hint holds (STANDBY_TTL_MS). */
  ttlMs: number;
  /** A node holds at most this many times its slot count in hints (STANDBY_DEPTH). */
  depth: number;
}

/** What read-heads is to return past the heads for now: room for hints, and the hints held. */
export interface HeadsAhead {
  room: ReadonlyMap<string, number>;
  skip: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * One type's read-heads arguments: type, heads for now, heads ahead, the heads in flight (count,
 * first, last), k, k held ids.
 */
export function pushHeadsAsked(
  args: ScriptArg[],
  type: string,
  limit: number,
  ahead: HeadsAhead | undefined,
  inFlight: HeadsInFlight | undefined,
): void {
  const room = ahead?.room.get(type) ?? 0;
  const held = room > 0 ? ahead?.skip.get(type) : undefined;
  args.push(type, limit, room);
  if (inFlight === undefined) args.push(0, '', '');
  else args.push(inFlight.count, inFlight.first, inFlight.last);
  args.push(held?.size ?? 0);
  if (held !== undefined) for (const id of held) args.push(id);
}

/** assign.lua's standby arguments: lifetime, depth, count, then task id, node id, incarnation each. */
export function pushStandbyHints(args: ScriptArg[], standby: StandbyHints): void {
  args.push(standby.ttlMs, standby.depth, standby.hints.length);
  for (const h of standby.hints) args.push(h.taskId, h.nodeId, h.incarnation);
}

/**
 * The tasks finish.lua leased from a node's standby hints, each as its JSON text in three pieces
 * (task_json_parts: the script does not join them, every string it makes is hashed whole): joined
 * here into a JSON array of AssignedTask, checked like the tasks of a node.assigned message.
 * Written by our own script, so a bad one is a bug: it throws (the leases are in Redis; the
 * worker's lease recovery runs them).
 */
export function decodeRefill(parts: unknown): AssignedTask[] {
  if (parts === undefined || parts === null) return [];
  if (!Array.isArray(parts) || parts.length % 3 !== 0) {
    throw new Error('finish reply: the standby tasks are not in pieces of three');
  }
  let text = '[';
  for (let i = 0; i < parts.length; i += 3) {
    text += `${i > 0 ? ',' : ''}${String(parts[i])}${String(parts[i + 1])}${String(parts[i + 2])}`;
  }
  const tasks: unknown = JSON.parse(`${text}]`);
  const problem = ASSIGNED_TASKS(tasks);
  if (problem !== null) throw new Error(`finish reply: ${describeProblem(problem)}`);
  return tasks as AssignedTask[];
}
