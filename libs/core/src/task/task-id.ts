import { decodeTime, monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Time-ordered, lexicographically sortable task id (ULID, 26 chars). */
export function newTaskId(now: number = Date.now()): string {
  return nextUlid(now);
}

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isTaskId(value: string): boolean {
  return ULID_PATTERN.test(value);
}

/** When the task was submitted: a task id is a ULID made at submit time. */
export function submittedAtOf(id: string): number {
  return decodeTime(id);
}
