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

/** What the last scheduling pass saw of the ready queues (for /stats). */
@Injectable()
export class QueueObserver {
  private depths: QueueDepth[] = [];
  private observedAt = 0;

  record(depths: ReadonlyMap<string, number>, snapshot: ClusterSnapshot): void {
    const views = [...snapshot.nodes.values()].map((n) => ({
      status: n.status,
      types: [...n.types],
      labels: n.labels,
      capacity: n.capacity,
    }));
    this.depths = [...depths].map(([type, depth]) => {
      const code = waitingReasonCode(type, { slots: 1, cpu: 0, memoryMb: 0, labels: {} }, views);
      return code === 'noCapacity' && snapshot.freeSlotsByType().has(type)
        ? { type, depth }
        : { type, depth, reasonCode: code, reason: describeWait(type, code) };
    });
    this.observedAt = Date.now();
  }

  latest(): { observedAt: number; queues: QueueDepth[] } {
    return { observedAt: this.observedAt, queues: this.depths };
  }
}
