import type { HeadsSnapshot } from '@switchyard/core';

/**
 * What one run of the assignment loop has sent and not yet used, on the leader's one Redis
 * connection: at most one read of queue heads sent ahead (for the next pass) and at most one
 * commit (assign.lua). Redis runs a connection's commands in the order they were sent, so
 * a read sees every commit sent before it and none sent after: its heads may still hold the
 * tasks of a commit sent after it, and only those are dropped (`take`). Everything else in a
 * read is as exact as a read sent after the commit. A wrong guess would only cost a skipped
 * decision: assign.lua re-checks each task's state, the lease epoch, the node and its room.
 */
export class PassFlight {
  private ahead: Promise<HeadsSnapshot> | undefined;
  /** Task ids of the commits sent after the read ahead (it cannot have seen them). */
  private committedSinceAhead: Set<string> | undefined;
  private commit: Promise<void> | undefined;

  get hasAhead(): boolean {
    return this.ahead !== undefined;
  }

  /** Records a read sent now, for the next pass. */
  sendAhead(read: Promise<HeadsSnapshot>): void {
    // a failed read surfaces when it is taken; until then it must not count as unhandled
    read.catch(() => undefined);
    this.ahead = read;
    this.committedSinceAhead = new Set();
  }

  /** The read sent ahead, without the tasks of commits it could not see; undefined if none. */
  async take(): Promise<HeadsSnapshot | undefined> {
    const read = this.ahead;
    const unseen = this.committedSinceAhead;
    this.ahead = undefined;
    this.committedSinceAhead = undefined;
    if (read === undefined) return undefined;
    const snapshot = await read;
    if (unseen !== undefined && unseen.size > 0)
      snapshot.heads = snapshot.heads.filter((h) => !unseen.has(h.id));
    return snapshot;
  }

  /**
   * Records a commit sent now (the caller has settled the previous one: one at a time).
   * `done` applies its results; it rejects when the commit failed as a whole.
   */
  sendCommit(taskIds: readonly string[], done: Promise<void>): void {
    done.catch(() => undefined); // surfaces in settleCommit
    this.commit = done;
    if (this.committedSinceAhead !== undefined)
      for (const id of taskIds) this.committedSinceAhead.add(id);
  }

  /** Waits for the commit in flight, if any; rethrows its failure. */
  async settleCommit(): Promise<void> {
    const commit = this.commit;
    this.commit = undefined;
    if (commit !== undefined) await commit;
  }

  /**
   * At the end of a run: waits for the commit and drops the read ahead (what it promoted is
   * queued in Redis and the next pass reads it again). Returns the commit's failure, if any.
   */
  async drain(): Promise<unknown> {
    let failure: unknown;
    try {
      await this.settleCommit();
    } catch (err) {
      failure = err;
    }
    const ahead = this.ahead;
    this.ahead = undefined;
    this.committedSinceAhead = undefined;
    if (ahead !== undefined) await ahead.catch(() => undefined);
    return failure;
  }
}

/**
 * The limits of a read sent ahead of this pass's commit, or undefined when it would not pay.
 * It runs before that commit, so per type it asks again for this read's heads (still queued
 * when it runs; `take` drops the decided ones) plus up to a batch more, where more tasks are
 * queued than were read and the nodes have slots left beyond these heads. Only after a read of
 * at most a batch: more means the last commit took few of its heads, and a fresh read is as good.
 */
export function readAheadLimits(
  read: HeadsSnapshot,
  freeSlots: ReadonlyMap<string, number>,
  batch: number,
): Map<string, number> | undefined {
  if (read.heads.length > batch) return undefined;
  const count = new Map<string, number>();
  for (const h of read.heads) count.set(h.type, (count.get(h.type) ?? 0) + 1);
  let limits: Map<string, number> | undefined;
  for (const [type, n] of count) {
    const queuedBeyond = (read.depths.get(type) ?? 0) - n;
    const free = freeSlots.get(type) ?? 0;
    // a task takes at least one slot: when these heads alone may fill the nodes, no need to sum
    if (queuedBeyond <= 0 || free <= n) continue;
    let slots = 0;
    for (const h of read.heads) if (h.type === type) slots += h.header.sl;
    const more = Math.min(batch, queuedBeyond, free - slots);
    if (more > 0) (limits ??= new Map()).set(type, n + more);
  }
  return limits;
}
