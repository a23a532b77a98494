import { Patterns } from './patterns';

export interface TasksSubmittedMessage {
  count: number;
}

export interface TasksFinishedMessage {
  node: string;
  /** Tasks that reached a terminal state. */
  done: string[];
  /** Attempts that ended (terminal or retry). */
  ended: number;
  /** Capacity the ended attempts gave back on the node. */
  freed: { slots: number; cpu: number; memoryMb: number };
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
  /** The payload as JSON text (a copy; Redis holds the original). */
  payload: string;
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

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MESSAGE_LIMITS.maxIdLength;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isIdList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length <= MESSAGE_LIMITS.maxIds && v.every(isId);

function isAssignedTask(v: unknown): v is AssignedTask {
  return (
    isRecord(v) &&
    isId(v.id) &&
    isCount(v.lease) &&
    isCount(v.attempt) &&
    isId(v.type) &&
    isCount(v.timeoutMs) &&
    typeof v.payload === 'string' &&
    isCount(v.slots) &&
    isCount(v.cpu) &&
    isCount(v.memoryMb)
  );
}

/** Checks each bus message against its contract; the receiving controller drops what fails. */
export const MessageGuards = {
  [Patterns.TasksSubmitted]: (v: unknown): v is TasksSubmittedMessage =>
    isRecord(v) && isCount(v.count),
  [Patterns.TasksFinished]: (v: unknown): v is TasksFinishedMessage =>
    isRecord(v) &&
    isId(v.node) &&
    isIdList(v.done) &&
    isCount(v.ended) &&
    isRecord(v.freed) &&
    isCount(v.freed.slots) &&
    isCount(v.freed.cpu) &&
    isCount(v.freed.memoryMb),
  [Patterns.NodesChanged]: (v: unknown): v is NodesChangedMessage =>
    isRecord(v) &&
    isId(v.node) &&
    ['registered', 'draining', 'left', 'dead', 'suspect'].includes(v.change as string),
  [Patterns.NodeAssigned]: (v: unknown): v is NodeAssignedMessage =>
    isRecord(v) &&
    isId(v.node) &&
    isCount(v.incarnation) &&
    Array.isArray(v.tasks) &&
    v.tasks.length <= MESSAGE_LIMITS.maxIds &&
    v.tasks.every(isAssignedTask),
  [Patterns.NodeCancel]: (v: unknown): v is NodeCancelMessage =>
    isRecord(v) &&
    isId(v.node) &&
    Array.isArray(v.tasks) &&
    v.tasks.length <= MESSAGE_LIMITS.maxIds &&
    v.tasks.every((t) => isRecord(t) && isId(t.id) && isCount(t.lease)),
  [Patterns.NodeDrain]: (v: unknown): v is NodeDrainMessage =>
    isRecord(v) && isId(v.node) && isCount(v.incarnation),
  [Patterns.LeaderReleased]: (v: unknown): v is LeaderReleasedMessage =>
    isRecord(v) && isCount(v.epoch),
};
