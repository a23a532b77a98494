// A module for isolated-entry.spec.ts to load, as a handler's `isolated.module` would be.

/** Thrown for bad input: `retryable: false` must survive the trip back from the thread. */
class BadInput extends Error {
  readonly retryable = false;
}

export function double(payload: { n?: unknown } | null): { n: number } {
  const n = Number(payload?.n);
  if (!Number.isFinite(n) || n < 0) throw new BadInput('payload.n must be a number >= 0');
  return { n: n * 2 };
}
