import { describeProblem } from '../messaging/message-schema';
import { ASSIGNED_TASKS, type AssignedTask } from '../messaging/messages';
import type { ScriptArg } from './lua-scripts';

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

/** One type's read-heads arguments: type, heads for now, heads ahead, k, k held ids. */
export function pushHeadsAsked(
  args: ScriptArg[],
  type: string,
  limit: number,
  ahead: HeadsAhead | undefined,
): void {
  const room = ahead?.room.get(type) ?? 0;
  const held = room > 0 ? ahead?.skip.get(type) : undefined;
  args.push(type, limit, room, held?.size ?? 0);
  if (held !== undefined) for (const id of held) args.push(id);
}

/** assign.lua's standby arguments: lifetime, depth, count, then task id, node id, incarnation each. */
export function pushStandbyHints(args: ScriptArg[], standby: StandbyHints): void {
  args.push(standby.ttlMs, standby.depth, standby.hints.length);
  for (const h of standby.hints) args.push(h.taskId, h.nodeId, h.incarnation);
}

/**
 * The tasks finish.lua leased from a node's standby hints: a JSON array of AssignedTask, checked
 * like the tasks of a node.assigned message. Written by our own script, so a bad one is a bug:
 * it throws (the leases are in Redis; the worker's lease recovery runs them).
 */
export function decodeRefill(text: unknown): AssignedTask[] {
  if (text === undefined || text === null || text === '[]') return [];
  const tasks: unknown = JSON.parse(String(text));
  const problem = ASSIGNED_TASKS(tasks);
  if (problem !== null) throw new Error(`finish reply: ${describeProblem(problem)}`);
  return tasks as AssignedTask[];
}
