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

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Character code → Crockford base32 value (either case, as ulid's decodeTime), -1 if none. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < CROCKFORD.length; i++) {
  DIGIT[CROCKFORD.charCodeAt(i)] = i;
  DIGIT[CROCKFORD.toLowerCase().charCodeAt(i)] = i;
}
const TIME_CHARS = 10;
const TIME_MAX = 2 ** 48 - 1;

/**
 * When the task was submitted: a task id is a ULID made at submit time. ulid's decodeTime
 * splits, reverses and reduces the characters (arrays and closures per call, once per task
 * on a worker); this reads the 10 time characters directly. Anything it cannot read goes to
 * decodeTime, which throws ulid's own error.
 */
export function submittedAtOf(id: string): number {
  if (id.length !== 26) return decodeTime(id);
  let time = 0;
  for (let i = 0; i < TIME_CHARS; i++) {
    const code = id.charCodeAt(i);
    const digit = code < 128 ? DIGIT[code] : -1;
    if (digit < 0) return decodeTime(id);
    time = time * 32 + digit;
  }
  return time > TIME_MAX ? decodeTime(id) : time;
}
