import { Inject, Injectable } from '@nestjs/common';
import {
  SWITCHYARD_CONFIG,
  type NodeCapacity,
  type QueueHead,
  type StandbyHints,
  type StrategyContext,
  type SwitchyardConfig,
} from '@switchyard/core';
import { planAssignments } from './assignment-planner';
import type { ClusterSnapshot, TrackedNode } from './cluster-snapshot';
import { NodePace } from './node-pace';
import { StandbyBook } from './standby-book';
import { StrategyRegistry } from './strategy-registry';

/**
 * The leader's one-step-ahead decisions (STANDBY_ASSIGNMENTS): queue heads that no node can
 * take now are placed by their strategies on nodes as if each node's capacity were free but for
 * the hints already held for it. assign.lua writes them to each node's list; the node's next
 * finish call takes the ones that still hold (scripts/_standby.lua). Types with TYPE_LIMITS get
 * none (their budget is the leader's to spend). At most batch-size hints per type are held.
 *
 * How much a node may hold in hints is set by its pace (NodePace): the attempts it ends in
 * STANDBY_HORIZON_MS, at least one slot's worth and at most STANDBY_DEPTH times its capacity.
 * Short tasks get deep lists (a node that finishes thousands a second is not left waiting for a
 * pass between refills), long ones shallow (their hints would only sit while other nodes free
 * up, and a later higher-priority task would wait behind them). A node not heard from lately
 * holds one refill. With STANDBY_HORIZON_MS=0 every node holds STANDBY_DEPTH refills.
 */
/** The largest capacity a projection holds (a small integer to V8). */
const SMALL_INT_MAX = 2 ** 30 - 1;

@Injectable()
export class StandbyPlanner {
  readonly enabled: boolean;
  /** A node holds hints for at most this many times its capacity (STANDBY_DEPTH). */
  private readonly depth: number;
  /** ... for about this long of its work (STANDBY_HORIZON_MS; 0: always `depth` times). */
  private readonly horizonMs: number;
  private readonly limitedTypes: ReadonlySet<string>;
  private readonly noBudget = new Map<string, number>();

  constructor(
    private readonly book: StandbyBook,
    private readonly strategies: StrategyRegistry,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
    private readonly pace: NodePace = new NodePace(),
  ) {
    this.enabled = config.standbyAssignments;
    this.depth = config.standbyDepth;
    this.horizonMs = config.standbyHorizonMs;
    this.limitedTypes = new Set(Object.keys(config.typeLimits));
    for (const t of this.limitedTypes) this.noBudget.set(t, 0);
  }

  /** Drops expired hints; call at the start of a pass. */
  expire(now = Date.now()): void {
    this.book.expire(now);
    this.pace.prune(now);
  }

  /** A finish ended `ended` attempts on the node (its `tasks.finished` message). */
  finished(nodeId: string, ended: number, now = Date.now()): void {
    if (this.enabled && this.horizonMs > 0) this.pace.ended(nodeId, ended, now);
  }

  /** The slots' worth of hints the node may hold (see the class comment). */
  hintSlots(node: TrackedNode, now: number): number {
    const slots = node.capacity.slots;
    if (this.horizonMs === 0) return slots * this.depth;
    const perSecond = this.pace.perSecond(node.id, now);
    if (perSecond === undefined) return slots;
    const due = Math.round((perSecond * this.horizonMs) / 1000);
    return Math.min(slots * this.depth, Math.max(1, due));
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
  roomByType(snapshot: ClusterSnapshot, now = Date.now()): Map<string, number> {
    const room = new Map<string, number>();
    if (!this.enabled) return room;
    const held = this.book.heldByNode();
    const perNode = new Map<string, number>();
    for (const node of snapshot.nodes.values())
      perNode.set(
        node.id,
        Math.max(0, this.hintSlots(node, now) - (held.get(node.id)?.slots ?? 0)),
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
    const projected = snapshot.projected(this.book.heldByNode(), (node) =>
      this.hintCapacity(node, ctx.now),
    );
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

  /** What the node may hold in hints: hintSlots, with its cpu and memory in proportion. */
  private hintCapacity(node: TrackedNode, now: number): NodeCapacity {
    const { slots, cpu, memoryMb } = node.capacity;
    const hinted = this.hintSlots(node, now);
    // whole numbers (`| 0`): the planning code is compiled for small integers in capacities
    // (kept below 2^30, where `| 0` would wrap)
    return {
      slots: hinted,
      cpu: Math.min((cpu * hinted) / slots, SMALL_INT_MAX) | 0,
      memoryMb: Math.min((memoryMb * hinted) / slots, SMALL_INT_MAX) | 0,
    };
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
