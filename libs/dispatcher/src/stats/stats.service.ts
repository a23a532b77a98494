import { Inject, Injectable } from '@nestjs/common';
import {
  hasRoom,
  matchesSelector,
  NODE_STATUSES,
  NodeStore,
  SWITCHYARD_CONFIG,
  TaskReadStore,
  type NodeStatus,
  type NodeView,
  type SwitchyardConfig,
  type TaskRequirements,
} from '@switchyard/core';
import { TYPE_LIMIT_REASON, TypeLimitProbe } from '../scheduling/type-limit-probe';
import { describeWait, waitingReasonCode } from '../scheduling/waiting-reason';

/** Most queued tasks read per type to classify why they wait; /stats says when it sampled. */
const SAMPLE_PER_TYPE = 1000;
/** Most queued tasks read in one /stats call over all types: the answer's cost is bounded. */
const SAMPLE_TOTAL = 10_000;
/** Ready to run: a node has room now; the next scheduling pass takes it. */
const READY = 'ready: a node has room; next pass';

export interface StatsView {
  observedAt: number;
  tasks: {
    queued: number;
    delayed: number;
    blocked: number;
    failed: number;
    counters: Record<string, number>;
  };
  queues: { type: string; depth: number }[];
  nodes: Record<NodeStatus, number>;
  waiting: {
    /** Queued tasks classified (the first SAMPLE_PER_TYPE of each queue, SAMPLE_TOTAL in all). */
    classified: number;
    queued: number;
    byReason: Record<string, number>;
    byType: Record<string, Record<string, number>>;
    byPriority: Record<string, number>;
  };
}

/** GET /stats: queue depths, nodes by status, and why queued tasks wait (by reason, type, priority). */
@Injectable()
export class StatsService {
  constructor(
    private readonly tasks: TaskReadStore,
    private readonly nodes: NodeStore,
    private readonly limits: TypeLimitProbe,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  async stats(): Promise<StatsView> {
    const [counts, nodes] = await Promise.all([
      this.tasks.queueCounts(this.config.maxTaskTypes),
      this.nodes.list(),
    ]);
    const byStatus = Object.fromEntries(NODE_STATUSES.map((s) => [s, 0])) as Record<
      NodeStatus,
      number
    >;
    for (const n of nodes) byStatus[n.status]++;
    const limited = await this.limits.atLimit([...counts.depths.keys()]);
    const waiting: StatsView['waiting'] = {
      classified: 0,
      queued: 0,
      byReason: {},
      byType: {},
      byPriority: {},
    };
    const reasonCache = new Map<string, string>();
    for (const [type, depth] of counts.depths) {
      waiting.queued += depth;
      const room = Math.min(SAMPLE_PER_TYPE, SAMPLE_TOTAL - waiting.classified);
      const heads = room > 0 ? await this.tasks.queueHeads(type, room) : [];
      const perType: Record<string, number> = (waiting.byType[type] = {});
      for (const { header: h } of heads) {
        const req: TaskRequirements = {
          slots: h.sl,
          cpu: h.cpu ?? 0,
          memoryMb: h.mem ?? 0,
          labels: h.sel ?? {},
        };
        const key = `${type}\u0000${h.sl}:${req.cpu}:${req.memoryMb}\u0000${JSON.stringify(req.labels)}`;
        let reason = reasonCache.get(key);
        if (reason === undefined) {
          reason = limited.has(type) ? TYPE_LIMIT_REASON : this.reason(type, req, nodes);
          reasonCache.set(key, reason);
        }
        waiting.classified++;
        waiting.byReason[reason] = (waiting.byReason[reason] ?? 0) + 1;
        perType[reason] = (perType[reason] ?? 0) + 1;
        waiting.byPriority[String(h.pr)] = (waiting.byPriority[String(h.pr)] ?? 0) + 1;
      }
    }
    return {
      observedAt: Date.now(),
      tasks: {
        queued: waiting.queued,
        delayed: counts.delayed,
        blocked: counts.blocked,
        failed: counts.failed,
        counters: counts.counters,
      },
      queues: [...counts.depths]
        .map(([type, depth]) => ({ type, depth }))
        .sort((a, b) => (a.type < b.type ? -1 : 1)),
      nodes: byStatus,
      waiting,
    };
  }

  private reason(type: string, req: TaskRequirements, nodes: readonly NodeView[]): string {
    const code = waitingReasonCode(type, req, nodes);
    if (code !== 'noCapacity') return describeWait(type, code);
    const ready = nodes.some(
      (n) =>
        n.status === 'alive' &&
        n.types.includes(type) &&
        matchesSelector(n.labels, req.labels) &&
        hasRoom(n.capacity, n.used, req),
    );
    return ready ? READY : describeWait(type, code);
  }
}
