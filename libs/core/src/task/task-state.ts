/** Every state a task can be in. The first five are live, the last three terminal. */
export const TASK_STATES = [
  'blocked',
  'delayed',
  'queued',
  'assigned',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;

export type TaskState = (typeof TASK_STATES)[number];

/** States a task can be created in. */
export const INITIAL_STATES: readonly TaskState[] = ['queued', 'delayed', 'blocked'];

export const TERMINAL_STATES: readonly TaskState[] = ['succeeded', 'failed', 'cancelled'];

/**
 * The one transition table. The Lua scripts receive it verbatim (see lua-prelude.ts),
 * so the check in Redis and the check here cannot disagree.
 */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  blocked: ['queued', 'delayed', 'failed', 'cancelled'],
  delayed: ['queued', 'cancelled'],
  queued: ['assigned', 'cancelled'],
  // assigned -> queued: node died, lease expired or the node handed it back.
  // assigned -> delayed/failed: the attempt failed before the start report arrived.
  assigned: ['running', 'queued', 'delayed', 'succeeded', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'delayed', 'queued', 'cancelled'],
  succeeded: [],
  failed: ['queued'],
  cancelled: ['queued'],
};

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value);
}

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TRANSITIONS[from].includes(to);
}
