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

  /** Types whose TYPE_LIMITS budget is spent for now. */
  private limited = new Set<string>();

  record(
    depths: ReadonlyMap<string, number>,
    snapshot: ClusterSnapshot,
    typeBudgets: ReadonlyMap<string, number> = new Map(),
  ): void {
    this.limited = new Set([...typeBudgets].filter(([, budget]) => budget <= 0).map(([type]) => type));
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

  /** True when the type had no TYPE_LIMITS budget left at the last pass. */
  atTypeLimit(type: string): boolean {
    return this.limited.has(type);
  }

  latest(): { observedAt: number; queues: QueueDepth[] } {
    return { observedAt: this.observedAt, queues: this.depths };
  }
}
