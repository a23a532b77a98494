import { Inject, Injectable } from '@nestjs/common';
import {
  SWITCHYARD_CONFIG,
  TaskSchedulingStore,
  type HeadsInFlight,
  type QueueHead,
  type StandbyHints,
  type SwitchyardConfig,
  type TypeLimit,
} from '@switchyard/core';
import { planAssignments, seededRandom, type AssignmentPlan } from './assignment-planner';
import type { ClusterSnapshot } from './cluster-snapshot';
import { ClusterState } from './cluster-state';
import { StandbyPlanner } from './standby-planner';
import { StrategyRegistry } from './strategy-registry';

/** A pass's decisions (and standby hints), ready to commit. */
export interface PlannedPass {
  /** The lease it was read under: it is committed only while that lease is still ours. */
  leaseValue: string;
  /** The snapshot it reserved its decisions in. */
  snapshot: ClusterSnapshot;
  /** The heads it was planned from, as read (each type's in queue order). */
  heads: readonly QueueHead[];
  plan: AssignmentPlan;
  hints: StandbyHints | undefined;
  /** The TYPE_LIMITS the assign script re-checks for these heads. */
  limits: Map<string, TypeLimit>;
  /** More is waiting besides what the heads hold (promotions, dependents settled). */
  backlog: boolean;
}

/** A read and its plan: a pass to commit, or nothing to decide. */
export interface PassRead {
  planned: PlannedPass | undefined;
  backlog: boolean;
  nextDueAt: number | null;
}

/** A pass whose commit is about to go out, and the heads it takes (see headsInFlight). */
export interface CommitInFlight {
  pass: PlannedPass;
  heads: ReadonlyMap<string, HeadsInFlight>;
}

/**
 * A pass's read (promote due tasks, queue heads, depths) and its decisions in memory; the
 * AssignmentLoop commits them.
 */
@Injectable()
export class PassPlanner {
  private seed = Date.now() >>> 0;
  /** How many types have TYPE_LIMITS (most deployments: none, and a pass skips their checks). */
  readonly limitedTypes: number;

  constructor(
    private readonly tasks: TaskSchedulingStore,
    private readonly cluster: ClusterState,
    private readonly strategies: StrategyRegistry,
    private readonly standby: StandbyPlanner,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.limitedTypes = Object.keys(config.typeLimits).length;
  }

  /**
   * Reads and plans a pass on `snapshot`. With `inFlight` (a pass planned on the same snapshot,
   * whose commit is not sent yet) the read reads past the heads that commit takes and the plan
   * leaves out its tasks (their capacity is reserved in the snapshot already). `onRead` runs as
   * soon as the read's reply is in, before the plan is made.
   */
  read(
    leaseValue: string,
    snapshot: ClusterSnapshot,
    inFlight?: CommitInFlight,
    onRead?: () => void,
  ): Promise<PassRead> {
    if (this.limitedTypes === 0)
      return this.readAndPlan(leaseValue, snapshot, new Map(), inFlight, onRead);
    return this.typeBudgets().then((budgets) =>
      this.readAndPlan(leaseValue, snapshot, budgets, inFlight, onRead),
    );
  }

  /** A planned pass that will not be committed: its reservations and its hints go. */
  drop(pass: PlannedPass): void {
    for (const d of pass.plan.decisions) {
      const req = pass.plan.reserved.get(d.taskId);
      if (req !== undefined) pass.snapshot.reserve(d.nodeId, req, -1);
    }
    if (pass.hints !== undefined) this.standby.settle(pass.hints, undefined);
  }

  private async readAndPlan(
    leaseValue: string,
    snapshot: ClusterSnapshot,
    budgets: Map<string, number>,
    inFlight: CommitInFlight | undefined,
    onRead: (() => void) | undefined,
  ): Promise<PassRead> {
    const batch = this.config.batchSize;
    this.standby.expire();
    const limits = new Map<string, number>();
    for (const [type, free] of snapshot.freeSlotsByType()) {
      const heads = Math.min(free, batch, budgets.get(type) ?? Infinity);
      if (heads > 0) limits.set(type, heads);
    }
    // one step ahead: heads for standby hints too, past the ones already held as hints, only
    // as many as the pass has room for after the heads for now (a pass decides at most `batch`)
    const room = this.standby.roomByType(snapshot);
    for (const [type, r] of room) {
      const ahead = Math.min(r, batch - (limits.get(type) ?? 0));
      if (ahead > 0) room.set(type, ahead);
      else room.delete(type);
    }
    const read = await this.tasks.readHeads(
      limits,
      { maxPromotions: batch, maxTypes: this.config.maxTaskTypes },
      Date.now(),
      room.size > 0 ? { room, skip: this.standby.held() } : undefined,
      inFlight?.heads,
    );
    onRead?.();
    if (read.nodesVersion !== snapshot.version) this.cluster.markStale();
    // dependents are resolved only when a finished task announced some (no round trip otherwise);
    // the tasks it releases are read on the next pass, which `backlog` asks for
    const deps =
      read.resolving > 0
        ? await this.tasks.resolveDependents(this.config.dependencyBatch)
        : { settled: 0, pending: 0 };
    const backlog = read.promoted >= batch || deps.pending > 0 || deps.settled > 0;
    const idle: PassRead = { planned: undefined, backlog, nextDueAt: read.nextDueAt };
    // a read ahead of a commit returns the heads that commit takes when the queue no longer
    // starts with them (read-heads.lua): they are not this pass's to decide
    const taken = inFlight?.pass.plan.reserved;
    const heads = taken === undefined ? read.heads : read.heads.filter((h) => !taken.has(h.id));
    if (heads.length === 0) return idle;

    const random = seededRandom(this.seed++);
    const ctx = { now: Date.now(), random, allNodeIds: snapshot.allNodeIds };
    const plan = this.mayPlaceNow(heads, snapshot)
      ? planAssignments(
          heads,
          snapshot,
          this.strategies,
          this.config.agingStepMs,
          ctx,
          batch,
          budgets,
        )
      : { decisions: [], reserved: new Map(), types: [], limited: 0 };
    // a held hint may be decided for now (a node has room now): it is then no longer a hint
    const hints = this.standby.plan(
      this.standby.enabled
        ? heads.filter((h) => !plan.reserved.has(h.id) && !this.standby.holds(h.id))
        : [],
      snapshot,
      this.config.agingStepMs,
      ctx,
      batch - plan.decisions.length,
    );
    if (plan.decisions.length === 0 && hints === undefined) return idle;
    const limitsOf = this.limitsOf(heads);
    return {
      planned: { leaseValue, snapshot, heads, plan, hints, limits: limitsOf, backlog },
      backlog,
      nextDueAt: read.nextDueAt,
    };
  }

  /**
   * A pass for the one task a submit announced (TasksSubmittedMessage.head), planned without a
   * read: its commit must find the task leading its queue (mustLead), so it never overtakes a
   * task queued before it. Undefined when a read is needed: TYPE_LIMITS (their budgets are read)
   * or no node can take it now (the read's pass plans its hint and says why it waits), or hints
   * of its type are held (their tasks are queued ahead of it).
   */
  planLone(
    leaseValue: string,
    snapshot: ClusterSnapshot,
    head: QueueHead,
  ): PlannedPass | undefined {
    const heads = [head];
    if (this.limitedTypes > 0 || !this.mayPlaceNow(heads, snapshot)) return undefined;
    // tasks held as standby hints are queued ahead of it: it would not lead its queue
    if (this.standby.held().has(head.type)) return undefined;
    const ctx = {
      now: Date.now(),
      random: seededRandom(this.seed++),
      allNodeIds: snapshot.allNodeIds,
    };
    const plan = planAssignments(
      heads,
      snapshot,
      this.strategies,
      this.config.agingStepMs,
      ctx,
      1,
      new Map(),
    );
    if (plan.decisions.length === 0) return undefined;
    return {
      leaseValue,
      snapshot,
      heads,
      plan,
      hints: undefined,
      limits: new Map(),
      backlog: false,
    };
  }

  /**
   * Whether any head could be placed now: a node of its type has a free slot (every task needs
   * one). When none has (the usual pass with standby hints: each finish refilled its slots from
   * them), the plan for now would only find every head without candidates, at a string key and
   * two objects per head. With TYPE_LIMITS the plan always runs (it counts the limited heads).
   */
  private mayPlaceNow(heads: readonly QueueHead[], snapshot: ClusterSnapshot): boolean {
    if (this.limitedTypes > 0) return true;
    const free = snapshot.freeSlotsByType();
    for (const h of heads) if (free.has(h.type)) return true;
    return false;
  }

  /** How many more tasks of each limited type may start now (TYPE_LIMITS; empty when none). */
  private async typeBudgets(): Promise<Map<string, number>> {
    const budgets = new Map<string, number>();
    const types = Object.keys(this.config.typeLimits);
    for (const [type, load] of await this.tasks.typeLoad(types)) {
      const l = this.config.typeLimits[type];
      const byRunning = l.maxRunning === undefined ? Infinity : l.maxRunning - load.running;
      const byRate =
        l.maxStartsPerSecond === undefined
          ? Infinity
          : l.maxStartsPerSecond - load.startsThisSecond;
      budgets.set(type, Math.max(0, Math.min(byRunning, byRate)));
    }
    return budgets;
  }

  /** The TYPE_LIMITS the assign script must re-check for these heads. */
  private limitsOf(heads: readonly { type: string }[]): Map<string, TypeLimit> {
    const limits = new Map<string, TypeLimit>();
    if (this.limitedTypes === 0) return limits;
    for (const { type } of heads) {
      const l = this.config.typeLimits[type];
      if (l !== undefined) limits.set(type, l);
    }
    return limits;
  }
}
