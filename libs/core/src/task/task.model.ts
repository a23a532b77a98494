import type { TaskState } from './task-state';

/** Label selector: `{ zone: 'eu' }` (exact), `{ gpu: { in: ['a100', 'h100'] } }`, `{ tier: { notIn: ['spot'] } }`. */
export type LabelRequirement = string | { in: string[] } | { notIn: string[] };
export type LabelSelector = Record<string, LabelRequirement>;

export interface TaskRequirements {
  /** Worker slots the task occupies while it runs (≥ 1). */
  slots: number;
  /** CPU in millicores (1000 = one core); 0 = no claim. */
  cpu: number;
  memoryMb: number;
  labels: LabelSelector;
}

export interface RetryPolicy {
  backoff: 'fixed' | 'exponential';
  /** First delay (fixed: every delay). */
  baseMs: number;
  /** Upper bound of one delay. */
  capMs: number;
  /** 0..1: share of the delay that is randomised ("full jitter" at 1). */
  jitter: number;
}

/** What a submitter sends (after defaults are applied). */
export interface TaskSpec {
  type: string;
  payload: unknown;
  priority: number;
  requirements: TaskRequirements;
  maxAttempts: number;
  timeoutMs: number;
  idempotencyKey?: string;
  strategy?: string;
  affinityKey?: string;
  /** Epoch ms; in the future → the task starts `delayed`. */
  runAt?: number;
  dependsOn?: string[];
  retry?: RetryPolicy;
}

export interface TaskErrorInfo {
  message: string;
  code?: string;
  retryable: boolean;
}

export type AttemptOutcome =
  'succeeded' | 'failed' | 'timeout' | 'lost' | 'handed-back' | 'cancelled' | 'expired';

export interface AttemptRecord {
  /** Lease sequence number of this attempt. */
  lease: number;
  node: string;
  incarnation: number;
  assignedAt: number;
  startedAt?: number;
  endedAt?: number;
  outcome?: AttemptOutcome;
  error?: string;
}

export interface TaskLease {
  seq: number;
  node: string;
  incarnation: number;
}

/** A task's id and state: what `waitForStates` gives, without the rest of the view. */
export interface TaskStateView {
  id: string;
  state: TaskState;
}

/** Everything a reader learns about a task (GET /tasks/:id). Times are epoch ms. */
export interface TaskView {
  id: string;
  type: string;
  state: TaskState;
  payload: unknown;
  priority: number;
  requirements: TaskRequirements;
  maxAttempts: number;
  timeoutMs: number;
  /** Attempts counted against maxAttempts. */
  attempts: number;
  lease?: TaskLease;
  node?: string;
  createdAt: number;
  updatedAt: number;
  queuedAt?: number;
  runAt?: number;
  startedAt?: number;
  finishedAt?: number;
  result?: unknown;
  error?: TaskErrorInfo;
  history: AttemptRecord[];
  idempotencyKey?: string;
  strategy?: string;
  affinityKey?: string;
  dependsOn?: string[];
  retry?: RetryPolicy;
  progress?: { percent: number; data?: unknown };
  /** Blocked tasks: how many of dependsOn have not succeeded yet. */
  waitingOn?: number;
  /** Set when a recurring schedule created the task: which one, for which tick. */
  schedule?: { id: string; tick: number };
  /** Only for waiting tasks: why no node has taken it yet. */
  waitingReason?: string;
}

export interface SubmitOutcome {
  id: string;
  state: TaskState;
  /** false when an idempotency key matched an earlier task. */
  created: boolean;
}
