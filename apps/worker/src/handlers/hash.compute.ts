import { createHash } from 'node:crypto';

export interface HashInput {
  /** Rounds of SHA-256 (1..100 000 000). */
  rounds?: unknown;
  /** Instead of rounds: keep hashing for this long (ms, 1..600 000): a CPU-bound task of known length. */
  forMs?: unknown;
  input?: unknown;
}

export interface HashResult {
  digest: string;
  rounds: number;
}

/** Thrown for bad input: `retryable: false` survives the trip back from the worker thread. */
class BadHashInput extends Error {
  readonly retryable = false;
}

/**
 * The `hash` task's computation, pure and synchronous: it runs in a worker thread (see
 * ExampleHandlers.hash), so it imports nothing but node:crypto.
 */
export function computeHash(payload: HashInput | null | undefined): HashResult {
  const forMs = payload?.forMs === undefined ? undefined : Number(payload.forMs);
  if (forMs !== undefined && (!Number.isInteger(forMs) || forMs < 1 || forMs > 600_000)) {
    throw new BadHashInput('payload.forMs must be an integer from 1 to 600000');
  }
  const rounds = Number(payload?.rounds ?? 1);
  if (forMs === undefined && (!Number.isInteger(rounds) || rounds < 1 || rounds > 100_000_000)) {
    throw new BadHashInput('payload.rounds must be an integer from 1 to 100000000');
  }
  let digest = String(payload?.input ?? '');
  let done = 0;
  const until = forMs === undefined ? 0 : Date.now() + forMs;
  while (forMs === undefined ? done < rounds : Date.now() < until) {
    for (let i = 0; i < (forMs === undefined ? 1 : 1000); i++)
      digest = createHash('sha256').update(digest).digest('hex');
    done += forMs === undefined ? 1 : 1000;
  }
  return { digest, rounds: done };
}
