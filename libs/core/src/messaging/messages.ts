import { int, list, oneOf, optional, record, text, type Check } from './message-schema';
import { Patterns, type Pattern } from './patterns';

export interface TasksSubmittedMessage {
  count: number;
  /**
   * A submit that created exactly one queued task names it, with its record's header line as
   * read-heads.lua would return it: an idle leader may decide it without reading the queue
   * (assign.lua then checks it still leads its queue). Absent from older submitters and batches.
   */
  head?: SubmittedHead;
}

/** The one task a submit queued (TasksSubmittedMessage.head). */
export interface SubmittedHead {
  id: string;
  type: string;
  /** The header line of its record (decodeTaskHeader reads it). */
  header: string;
}

export interface TasksFinishedMessage {
  node: string;
  /** Tasks that reached a terminal state. */
  done: string[];
  /** Attempts that ended (terminal or retry). */
  ended: number;
  /** Capacity the ended attempts gave back on the node. */
  freed: { slots: number; cpu: number; memoryMb: number };
  /**
   * Standby hints (STANDBY_ASSIGNMENTS) the same finish took off the node's list: `took` were
   * leased to the node (using `slots`, `cpu`, `memoryMb` of what `freed` gave back), `dropped`
   * no longer held. Absent when the list was not touched.
   */
  standby?: StandbyUse;
  /**
   * Finished tasks (of this finish or earlier) whose dependents wait to be resolved, as of this
   * finish. Absent from older workers.
   */
  resolving?: number;
}

export interface StandbyUse {
  took: string[];
  dropped: string[];
  slots: number;
  cpu: number;
  memoryMb: number;
}

export interface NodesChangedMessage {
  node: string;
  change: 'registered' | 'draining' | 'left' | 'dead' | 'suspect';
}

export interface AssignedTask {
  id: string;
  lease: number;
  attempt: number;
  type: string;
  timeoutMs: number;
  /**
   * The payload, as the JSON stored at submit (any JSON value; read it with payloadOf()). An
   * older dispatcher sent `payload` instead: the same JSON as a string, parsed by payloadOf().
   * The new name keeps the versions apart in a rolling deploy: an older worker drops a message
   * without `payload` (its lease recovery then runs the tasks), rather than misread `input`.
   */
  input?: unknown;
  payload?: string;
  slots: number;
  cpu: number;
  memoryMb: number;
}

export interface NodeAssignedMessage {
  node: string;
  incarnation: number;
  tasks: AssignedTask[];
}

export interface NodeCancelMessage {
  node: string;
  tasks: { id: string; lease: number }[];
}

export interface NodeDrainMessage {
  node: string;
  incarnation: number;
}

export interface LeaderReleasedMessage {
  /** The epoch that ended. */
  epoch: number;
}

/** Bounds on what a bus message may carry; larger ones are dropped. */
export const MESSAGE_LIMITS = { maxIds: 50_000, maxIdLength: 128 } as const;

const MAX_INT = Number.MAX_SAFE_INTEGER;
const DAY_MS = 24 * 3600 * 1000;
/** Task ids are ULIDs; node ids follow NODE_ID; task types are printable ASCII. */
const taskId = text(26, 26, /^[0-9A-HJKMNP-TV-Z]{26}$/);
/** The longest header line submit.lua puts in a tasks.submitted message (its WHOLE_HEAD_MAX). */
export const SUBMITTED_HEADER_MAX_BYTES = 1024;
const nodeId = text(1, 64, /^[A-Za-z0-9._-]+$/);
const taskType = text(1, MESSAGE_LIMITS.maxIdLength, /^[\x21-\x7e]+$/);
const sequence = int(0, MAX_INT);
// Per-task resources follow the submit limits; sums over a batch of ended attempts stay below these.
const freed = record({ slots: int(0, 1e12), cpu: int(0, 1e15), memoryMb: int(0, 1e15) });

const assignedTaskFields = record({
  id: taskId,
  lease: sequence,
  attempt: int(0, 1_000_000),
  type: taskType,
  timeoutMs: int(0, 30 * DAY_MS),
  // input: any JSON value; both are bounded by MAX_BUS_MESSAGE_BYTES as a whole
  payload: optional(text(0, MAX_INT)),
  slots: int(0, 10_000),
  cpu: int(0, 10_000_000),
  memoryMb: int(0, 100_000_000),
});
const noPayload = { at: 'input', expected: 'the payload (input, or payload as JSON text)' };
const assignedTask: Check = (v) => {
  const problem = assignedTaskFields(v);
  if (problem !== null) return problem;
  const t = v as AssignedTask;
  return t.input !== undefined || t.payload !== undefined ? null : noPayload;
};

/** An assigned task's payload: its `input`, or an older dispatcher's `payload` text parsed (may throw). */
export function payloadOf(task: AssignedTask): unknown {
  return task.input !== undefined ? task.input : JSON.parse(task.payload as string);
}

/** The tasks of a node.assigned message (also what finish.lua returns from standby hints). */
export const ASSIGNED_TASKS: Check = list(assignedTask, MESSAGE_LIMITS.maxIds);

/** The contract of every pattern: what SwitchyardRedisServer lets through to a handler. */
export const MESSAGE_SCHEMAS: Record<Pattern, Check> = {
  [Patterns.TasksSubmitted]: record({
    count: int(0, 10_000_000),
    head: optional(
      record({ id: taskId, type: taskType, header: text(1, SUBMITTED_HEADER_MAX_BYTES) }),
    ),
  }),
  [Patterns.TasksFinished]: record({
    node: nodeId,
    done: list(taskId, MESSAGE_LIMITS.maxIds),
    ended: int(0, 10_000_000),
    freed,
    standby: optional(
      record({
        took: list(taskId, MESSAGE_LIMITS.maxIds),
        dropped: list(taskId, MESSAGE_LIMITS.maxIds),
        slots: int(0, 1e12),
        cpu: int(0, 1e15),
        memoryMb: int(0, 1e15),
      }),
    ),
    resolving: optional(int(0, 1e15)),
  }),
  [Patterns.NodesChanged]: record({
    node: nodeId,
    change: oneOf(['registered', 'draining', 'left', 'dead', 'suspect']),
  }),
  [Patterns.NodeAssigned]: record({
    node: nodeId,
    incarnation: sequence,
    tasks: ASSIGNED_TASKS,
  }),
  [Patterns.NodeCancel]: record({
    node: nodeId,
    tasks: list(record({ id: taskId, lease: sequence }), MESSAGE_LIMITS.maxIds),
  }),
  [Patterns.NodeDrain]: record({ node: nodeId, incarnation: sequence }),
  [Patterns.LeaderReleased]: record({ epoch: sequence }),
};

interface MessageOf {
  [Patterns.TasksSubmitted]: TasksSubmittedMessage;
  [Patterns.TasksFinished]: TasksFinishedMessage;
  [Patterns.NodesChanged]: NodesChangedMessage;
  [Patterns.NodeAssigned]: NodeAssignedMessage;
  [Patterns.NodeCancel]: NodeCancelMessage;
  [Patterns.NodeDrain]: NodeDrainMessage;
  [Patterns.LeaderReleased]: LeaderReleasedMessage;
}

const guard =
  <P extends Pattern>(pattern: P) =>
  (v: unknown): v is MessageOf[P] =>
    MESSAGE_SCHEMAS[pattern](v) === null;

/** Type guards from the schemas, for readers of a channel outside the transport (FinishedFeed). */
export const MessageGuards = {
  [Patterns.TasksSubmitted]: guard(Patterns.TasksSubmitted),
  [Patterns.TasksFinished]: guard(Patterns.TasksFinished),
  [Patterns.NodesChanged]: guard(Patterns.NodesChanged),
  [Patterns.NodeAssigned]: guard(Patterns.NodeAssigned),
  [Patterns.NodeCancel]: guard(Patterns.NodeCancel),
  [Patterns.NodeDrain]: guard(Patterns.NodeDrain),
  [Patterns.LeaderReleased]: guard(Patterns.LeaderReleased),
};
