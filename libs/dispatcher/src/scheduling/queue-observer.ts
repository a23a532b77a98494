import { Injectable } from '@nestjs/common';
import type { ClusterSnapshot } from './cluster-snapshot';
import { describeWait, waitingReasonCode, type WaitingReasonCode } from './waiting-reason';

export interface QueueDepth {
  type: string;
  depth: number;
  /** Why tasks of this type (with no special requirements) wait, when nothing can run them. */
  reason?: string;
  reasonCode?: WaitingReasonCode;
}

/**
 * What the last scheduling pass saw of the ready queues (for /stats). A pass only records what
 * it read; the reasons, which look at every node, are worked out when someone asks, from the
 * snapshot as it is then.
 */
@Injectable()
export class QueueObserver {
  private seen: ReadonlyMap<string, number> = new Map();
  private snapshot: ClusterSnapshot | undefined;
  private observedAt = 0;

  record(depths: ReadonlyMap<string, number>, snapshot: ClusterSnapshot): void {
    this.seen = depths;
    this.snapshot = snapshot;
    this.observedAt = Date.now();
  }

  latest(): { observedAt: number; queues: QueueDepth[] } {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return { observedAt: this.observedAt, queues: [] };
    const views = [...snapshot.nodes.values()].map((n) => ({
      status: n.status,
      types: [...n.types],
      labels: n.labels,
      capacity: n.capacity,
    }));
    const free = snapshot.freeSlotsByType();
    const queues = [...this.seen].map(([type, depth]): QueueDepth => {
      const code = waitingReasonCode(type, { slots: 1, cpu: 0, memoryMb: 0, labels: {} }, views);
      return code === 'noCapacity' && free.has(type)
        ? { type, depth }
        : { type, depth, reasonCode: code, reason: describeWait(type, code) };
    });
    return { observedAt: this.observedAt, queues };
  }
}
