import { Injectable } from '@nestjs/common';

/** The pace averages over about this long; older finishes fade out (weight e^(-age/τ)). */
export const PACE_WINDOW_MS = 1000;
/**
 * A node heard from for less than this long is judged over this span anyway, so its first
 * finishes (a whole wave of long tasks ending at once) do not read as a burst of thousands per
 * second.
 */
export const PACE_MIN_SPAN_MS = 100;
/** A node silent for this long starts afresh: its old pace says nothing about its new work. */
export const PACE_RESET_AFTER_MS = 4 * PACE_WINDOW_MS;
/** Nodes tracked at once; finishes of further nodes are not counted (they get the default). */
export const PACE_MAX_NODES = 10_000;

interface Pace {
  /** Finishes, each weighted by e^(-(last - its time)/τ). */
  weight: number;
  last: number;
  /** When this node's current run of finishes began. */
  since: number;
}

/**
 * How many attempts each node ends per second, from the `tasks.finished` messages the leader
 * hears (each names its node and how many attempts ended). An exponentially weighted count over
 * ~PACE_WINDOW_MS, divided by the weight a steady stream would have gathered over the span the
 * node has been heard from (the usual start-up correction), so a node's pace is right within
 * its first PACE_MIN_SPAN_MS rather than after a whole window.
 */
@Injectable()
export class NodePace {
  private readonly byNode = new Map<string, Pace>();
  private prunedAt = 0;

  /** `ended` attempts ended on the node, heard at `now`. */
  ended(nodeId: string, ended: number, now: number): void {
    if (!(ended > 0)) return;
    const p = this.byNode.get(nodeId);
    if (p === undefined || now - p.last > PACE_RESET_AFTER_MS) {
      if (p === undefined && this.byNode.size >= PACE_MAX_NODES) return;
      this.byNode.set(nodeId, { weight: ended, last: now, since: now });
      return;
    }
    p.weight = p.weight * fade(now - p.last) + ended;
    p.last = Math.max(p.last, now);
  }

  /** Attempts the node ends per second; undefined when it has not been heard from lately. */
  perSecond(nodeId: string, now: number): number | undefined {
    const p = this.byNode.get(nodeId);
    if (p === undefined || now - p.last > PACE_RESET_AFTER_MS) return undefined;
    const span = Math.max(PACE_MIN_SPAN_MS, now - p.since);
    // what a steady stream of one finish per ms would weigh after `span`: ∫ e^(-t/τ) dt
    const steady = PACE_WINDOW_MS * (1 - fade(span));
    return ((p.weight * fade(now - p.last)) / steady) * 1000;
  }

  /** Forgets nodes silent past PACE_RESET_AFTER_MS; does the walk at most once per window. */
  prune(now: number): void {
    if (now - this.prunedAt < PACE_WINDOW_MS) return;
    this.prunedAt = now;
    for (const [id, p] of this.byNode)
      if (now - p.last > PACE_RESET_AFTER_MS) this.byNode.delete(id);
  }

  get size(): number {
    return this.byNode.size;
  }
}

function fade(ms: number): number {
  return ms <= 0 ? 1 : Math.exp(-ms / PACE_WINDOW_MS);
}
