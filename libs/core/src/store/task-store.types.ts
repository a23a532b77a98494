import type { TaskHeader } from '../task/task-record';
import type { TaskState } from '../task/task-state';
import type { RetryPolicy, TaskErrorInfo, TaskView } from '../task/task.model';

/** What the task stores' methods take and answer (kept apart from the stores themselves). */

export interface TaskStoreSettings {
  agingStepMs: number;
  maxDependents: number;
  idempotencyTtlMs: number;
  maxQueuedPerType: number;
  leaseGraceMs: number;
  finishedRetentionMs: number;
  finishedListCap: number;
  failedCap: number;
  /** Replicas that must confirm a submit before it is answered (SUBMIT_DURABILITY; 0 = none). */
  submitDurability?: number;
  submitWaitMs?: number;
}

export interface QueueHead {
  type: string;
  id: string;
  header: TaskHeader;
}

export interface HeadsSnapshot {
  promoted: number;
  nextDueAt: number | null;
  /** Ready-queue depth per type (every type with queued tasks, up to MAX_TASK_TYPES). */
  depths: Map<string, number>;
  heads: QueueHead[];
  /** Node registry version at the time of the read. */
  nodesVersion: number;
  /** Finished tasks whose dependents are still to be resolved (resolveDependents). */
  resolving: number;
}

/**
 * Per type, the heads a commit still in flight takes: the first `count` heads of the read it was
 * planned from (`first` and `last` of them in queue order). A read sent ahead of that commit
 * reads past them while the queue still starts with them, else from the front (`count` more);
 * the caller drops the ids it has in flight either way. Only the first and the `count`-th are
 * compared: were one between them to leave the queue (cancelled, taken by a standby hint) while
 * another task took its place between them, that task is read one pass later, never lost and
 * never decided twice.
 */
export interface HeadsInFlight {
  count: number;
  first: string;
  last: string;
}

export interface TypeLoad {
  /** Tasks of the type holding a lease (assigned or running), cluster-wide. */
  running: number;
  startsThisSecond: number;
}

export interface AssignmentDecision {
  taskId: string;
  nodeId: string;
  incarnation: number;
}

/**
 * Where assign.lua announces what it committed: node X hears on `channelBase + X`, in messages
 * of at most `maxBytes` (MAX_BUS_MESSAGE_BYTES).
 */
export interface AssignmentAnnouncement {
  channelBase: string;
  maxBytes: number;
}

export type AssignmentResult =
  | {
      ok: true;
      taskId: string;
      nodeId: string;
      incarnation: number;
      lease: number;
      attempt: number;
      /** false: the task was not in a node.assigned message (too large, or no channel given). */
      announced: boolean;
    }
  | { ok: false; taskId: string; nodeId: string; reason: string };

export interface StartReport {
  taskId: string;
  lease: number;
  startedAt: number;
}

export interface ProgressReport {
  taskId: string;
  lease: number;
  /** 0..100. */
  percent: number;
  /** JSON text of the handler's data, if any (size checked by the caller). */
  dataJson?: string;
}

export interface FinishReport {
  taskId: string;
  lease: number;
  startedAt: number;
  /** Result JSON text when it succeeded. */
  resultJson?: string;
  /** Set when it failed. */
  error?: TaskErrorInfo;
  /** Default policy for a retry (the task's own policy wins); random in 0..1 for the jitter. */
  retry: RetryPolicy;
  random: number;
}

export type FinishOutcome =
  'succeeded' | 'delayed' | 'failed' | 'stale' | 'gone' | `state:${string}`;

export type CancelOutcome =
  | { ok: true; previous: TaskState; node?: string; incarnation?: number; lease: number }
  | { ok: false; state?: TaskState };

export type RetryOutcome = { ok: true; previous: TaskState } | { ok: false; state: TaskState };

export interface ReclaimedTask {
  node: string;
  taskId: string;
  lease: number;
  outcome: 'queued' | 'failed';
}

/** States GET /tasks can list, and the index each is read from. */
export const LISTABLE_STATES = ['failed', 'queued', 'delayed', 'succeeded', 'cancelled'] as const;
export type ListableState = (typeof LISTABLE_STATES)[number];

export interface TaskListQuery {
  state: ListableState;
  /** Required for `queued` (each type has its own ready queue). */
  type?: string;
  cursor?: string;
  limit: number;
}

export interface TaskPage {
  tasks: TaskView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}
