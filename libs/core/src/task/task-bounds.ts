/*
 * Bounds of a task submission that hold however it comes in: the dispatcher's DTOs (and their
 * precheck) and the programmatic client check the same numbers.
 */

/** A task type name: letters, digits, `.`, `_`, `:`, `-`; at most 64 characters. */
export const TASK_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Priorities run from -MAX_PRIORITY to MAX_PRIORITY. */
export const MAX_PRIORITY = 1000;
export const MAX_SLOTS = 10_000;
/** Millicores. */
export const MAX_CPU = 10_000_000;
export const MAX_MEMORY_MB = 100_000_000;
/** The furthest a task may be delayed (delayMs, runAt): 365 days. */
export const MAX_DELAY_MS = 365 * 24 * 3600 * 1000;
