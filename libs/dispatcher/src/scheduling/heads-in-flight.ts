import type { HeadsInFlight, QueueHead } from '@switchyard/core';

/**
 * Per type, the heads a pass decided, when they are the first heads of that type it read (each
 * type's heads come in queue order): then the next pass's read can go out ahead of this pass's
 * commit and read past them (read-heads.lua). Undefined when some type's decided heads are not
 * its first ones (a head was left queued before a decided one): that read waits for the commit.
 */
export function headsInFlight(
  heads: readonly QueueHead[],
  decided: ReadonlyMap<string, unknown>,
): Map<string, HeadsInFlight> | undefined {
  const byType = new Map<string, HeadsInFlight>();
  const leftQueued = new Set<string>();
  for (const head of heads) {
    if (!decided.has(head.id)) {
      leftQueued.add(head.type);
      continue;
    }
    if (leftQueued.has(head.type)) return undefined;
    const seen = byType.get(head.type);
    if (seen === undefined) byType.set(head.type, { count: 1, first: head.id, last: head.id });
    else {
      seen.count++;
      seen.last = head.id;
    }
  }
  return byType;
}
