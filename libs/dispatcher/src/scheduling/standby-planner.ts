import { Inject, Injectable } from '@nestjs/common';
import {
  SWITCHYARD_CONFIG,
  type QueueHead,
  type StandbyHints,
  type StrategyContext,
  type SwitchyardConfig,
} from '@switchyard/core';
import { planAssignments } from './assignment-planner';
import type { ClusterSnapshot } from './cluster-snapshot';
import { StandbyBook } from './standby-book';
import { StrategyRegistry } from './strategy-registry';

/**
 * The leader's one-step-ahead decisions (STANDBY_ASSIGNMENTS): queue heads that no node can
 * take now are placed by their strategies on nodes as if each node's capacity were free but for
 * the hints already held for it. assign.lua writes them to each node's list; the node's next
 * finish call takes the ones that still hold (scripts/_standby.lua). Types with TYPE_LIMITS get
 * none (their budget is the leader's to spend). At most batch-size hints per type are held.
 */
@Injectable()
export class StandbyPlanner {
  readonly enabled: boolean;
  /** A node holds hints for up to this many times its capacity (STANDBY_DEPTH). */
  private readonly depth: number;
  private readonly limitedTypes: ReadonlySet<string>;
  private readonly noBudget = new Map<string, number>();

  constructor(
    private readonly book: StandbyBook,
    private readonly strategies: StrategyRegistry,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.enabled = config.standbyAssignments;
    this.depth = config.standbyDepth;
    this.limitedTypes = new Set(Object.keys(config.typeLimits));
    for (const t of this.limitedTypes) this.noBudget.set(t, 0);
  }

  /** Drops expired hints; call at the start of a pass. */
  expire(now = Date.now()): void {
    this.book.expire(now);
  }

  /** Leadership changed: the hints written under the old lease no longer hold. */
  forget(): void {
    this.book.clear();
  }

  holds(taskId: string): boolean {
    return this.book.has(taskId);
  }

  /** The leader's pass assigned a task now: if it was held as a hint, it is no longer. */
  assignedNow(taskId: string): void {
    if (this.book.size > 0) this.book.remove(taskId);
  }

  /** Task ids held per type: read-heads reads past them. */
  held(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.book.heldByType();
  }

  /**
   * How many more heads of each type are worth reading for hints: the slots of the nodes that
   * handle it not yet spoken for by hints, within the per-type bound.
   */
  roomByType(snapshot: ClusterSnapshot): Map<string, number> {
    const room = new Map<string, number>();
    if (!this.enabled) return room;
    const held = this.book.heldByNode();
    const perNode = new Map<string, number>();
    for (const node of snapshot.nodes.values())
      perNode.set(
        node.id,
        Math.max(0, node.capacity.slots * this.depth - (held.get(node.id)?.slots ?? 0)),
      );
    for (const [type, free] of snapshot.freeSlotsByType(perNode)) {
      if (this.limitedTypes.has(type)) continue;
      const r = Math.min(free, this.config.batchSize - this.book.heldOf(type));
      if (r > 0) room.set(type, r);
    }
    return room;
  }

  /**
   * Hints for `heads` (in queue order, the ones not decided for now), at most `limit`. They go
   * into the book at once, before the commit, so a finish heard before the commit's reply still
   * finds them; `settle` drops the ones the commit did not write.
   */
  plan(
    heads: readonly QueueHead[],
    snapshot: ClusterSnapshot,
    agingStepMs: number,
    ctx: StrategyContext,
    limit: number,
  ): StandbyHints | undefined {
    if (!this.enabled || heads.length === 0 || limit <= 0) return undefined;
    const projected = snapshot.projected(this.book.heldByNode(), this.depth);
    // types with TYPE_LIMITS get no hints: a budget of 0 each (planAssignments spends budgets,
    // never raises them, so the same map serves every pass)
    const plan = planAssignments(
      heads,
      projected,
      this.strategies,
      agingStepMs,
      ctx,
      limit,
      this.noBudget,
    );
    const n = plan.decisions.length;
    if (n === 0) return undefined;
    const expiresAt = ctx.now + this.config.standbyTtlMs;
    for (let i = 0; i < n; i++) {
      const d = plan.decisions[i];
      const req = plan.reserved.get(d.taskId);
      if (req === undefined) continue;
      this.book.add({
        taskId: d.taskId,
        nodeId: d.nodeId,
        incarnation: d.incarnation,
        type: plan.types[i],
        req: { slots: req.slots, cpu: req.cpu, memoryMb: req.memoryMb },
        expiresAt,
      });
    }
    return { hints: plan.decisions, ttlMs: this.config.standbyTtlMs, depth: this.depth };
  }

  /** The commit's answer: hints it did not write leave the book (all of them when it failed). */
  settle(standby: StandbyHints, hinted: readonly boolean[] | undefined): void {
    const hints = standby.hints;
    for (let i = 0; i < hints.length; i++)
      if (hinted?.[i] !== true) this.book.remove(hints[i].taskId);
  }

  /** A finish took or dropped these hints. */
  used(ids: readonly string[]): void {
    for (const id of ids) this.book.remove(id);
  }
}
