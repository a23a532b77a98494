/**
 * A ready task's place in its queue (lower runs first): the time it was queued, moved
 * earlier by `agingStepMs` per priority point. Higher priority goes first, FIFO within
 * equal priority, and a task of priority p waits behind a task of priority p + d only if
 * that one was queued less than d × agingStepMs after it — so no wait is unbounded.
 */
export function queueScore(queuedAt: number, priority: number, agingStepMs: number): number {
  return queuedAt - priority * agingStepMs;
}
