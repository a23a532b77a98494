import { randomFillSync } from 'node:crypto';
import { decodeTime, monotonicFactory } from 'ulid';

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let next = POOL_BYTES;

/**
 * Cryptographic random fractions in [0, 1) from a pooled buffer: ulid's default PRNG makes a
 * native getRandomValues call per character (16 per id), a visible share of a submit's CPU.
 * A byte / 256 picks one of ulid's 32 characters uniformly (256 is a multiple of 32).
 */
function pooledRandom(): number {
  if (next === POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

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
