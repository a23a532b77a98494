import { Injectable } from '@nestjs/common';
import {
  Strategy,
  type AssignmentStrategy,
  type NodeCandidate,
  type SchedulableTask,
  type StrategyContext,
} from './assignment-strategy';
import { HashRing } from './hash-ring';

/**
 * Consistent hashing on the task's `affinityKey` over every alive node (not only those with
 * room now), so a key keeps going to the same node while the cluster shape holds, and only
 * about 1/N of the keys move when a node joins or leaves. When the owner cannot take the
 * task now, the next node clockwise that can does. A task without a key hashes by its id.
 */
@Injectable()
@Strategy('affinity')
export class AffinityStrategy implements AssignmentStrategy {
  private ring = new HashRing([]);
  private ringIds: readonly string[] | null = null;
  private ringSignature = '';

  select(
    task: SchedulableTask,
    candidates: readonly NodeCandidate[],
    ctx: StrategyContext,
  ): NodeCandidate | null {
    if (candidates.length === 0) return null;
    const ring = this.ringFor(ctx.allNodeIds);
    const byId = new Map<string, NodeCandidate>();
    for (const c of candidates) byId.set(c.id, c);
    const chosen = ring.find(task.affinityKey ?? task.id, (id) => byId.has(id));
    return chosen === undefined ? null : (byId.get(chosen) as NodeCandidate);
  }

  /** The ring is rebuilt only when the set of nodes changes (the same array is reused within a tick). */
  private ringFor(ids: readonly string[]): HashRing {
    if (ids === this.ringIds) return this.ring;
    const signature = [...ids].sort().join('\u0000');
    if (signature !== this.ringSignature) {
      this.ring = new HashRing(ids);
      this.ringSignature = signature;
    }
    this.ringIds = ids;
    return this.ring;
  }
}
