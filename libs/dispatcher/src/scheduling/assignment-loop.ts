import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  ChannelNaming,
  NotLeaderError,
  Patterns,
  SWITCHYARD_CONFIG,
  TaskSchedulingStore,
  type AssignmentAnnouncement,
  type AssignmentResult,
  type SwitchyardConfig,
  type TypeLimit,
} from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { planAssignments, seededRandom } from './assignment-planner';
import { ClusterState } from './cluster-state';
import { StandbyPlanner } from './standby-planner';
import { StrategyRegistry } from './strategy-registry';

/**
 * The leader's scheduling loop. Each pass: one read (promote due tasks, queue heads, depths),
 * decisions in memory, one atomic commit that also tells each node what it got. Passes run when
 * something announces work (submit, finish, node change) and on a fallback timer; at most one
 * runs at a time and a wake during a pass schedules exactly one more.
 */
@Injectable()
export class AssignmentLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AssignmentLoop.name);
  private running = false;
  private again = false;
  private wakePending = false;
  private stopped = false;
  private seed = Date.now() >>> 0;
  private lastErrorLogAt = 0;
  private dueTimer: NodeJS.Timeout | undefined;
  private readonly announcement: AssignmentAnnouncement;
  /** How many types have TYPE_LIMITS (most deployments: none, and a pass skips their checks). */
  private readonly limitedTypes: number;

  constructor(
    private readonly tasks: TaskSchedulingStore,
    private readonly cluster: ClusterState,
    private readonly strategies: StrategyRegistry,
    private readonly lease: LeaderLease,
    private readonly scheduler: SchedulerRegistry,
    private readonly standby: StandbyPlanner,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.announcement = {
      channelBase: new ChannelNaming(config.prefix).channel(Patterns.NodeAssigned, ''),
      maxBytes: config.maxBusMessageBytes,
    };
    this.limitedTypes = Object.keys(config.typeLimits).length;
  }

  onApplicationBootstrap(): void {
    this.lease.onElected(() => {
      this.cluster.markStale();
      this.standby.forget();
      this.wake();
    });
    this.scheduler.addInterval(
      'assignment-loop',
      setInterval(() => this.wake(), this.config.tickIntervalMs),
    );
    this.wake();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.dueTimer);
    if (this.scheduler.doesExist('interval', 'assignment-loop'))
      this.scheduler.deleteInterval('assignment-loop');
  }

  /** Asks for a pass soon; cheap to call often (calls coalesce). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped || !this.lease.isLeader) return;
    this.running = true;
    try {
      // bounded: each pass either assigns a full batch or promotes, or the loop ends
      for (let pass = 0; pass < 1000; pass++) {
        this.again = false;
        const more = await this.pass();
        if (!(more || this.again) || this.stopped || !this.lease.isLeader) break;
      }
    } catch (err) {
      this.logFailure(err);
    } finally {
      this.running = false;
    }
  }

  /** One read–decide–commit pass. Returns true when more work is likely waiting. */
  private async pass(): Promise<boolean> {
    const leaseValue = this.lease.leaseValue;
    if (leaseValue === null) return false;
    const batch = this.config.batchSize;
    const snapshot = await this.cluster.current();
    const budgets = await this.typeBudgets();
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
    );
    this.armDueTimer(read.nextDueAt);
    if (read.nodesVersion !== snapshot.version) this.cluster.markStale();
    // dependents are resolved only when a finished task announced some (no round trip otherwise);
    // the tasks it releases are read on the next pass, which `backlog` asks for
    const deps =
      read.resolving > 0
        ? await this.tasks.resolveDependents(this.config.dependencyBatch)
        : { settled: 0, pending: 0 };
    const backlog = read.promoted >= batch || deps.pending > 0 || deps.settled > 0;
    if (read.heads.length === 0) return backlog;

    const random = seededRandom(this.seed++);
    const ctx = { now: Date.now(), random, allNodeIds: snapshot.allNodeIds };
    const plan = planAssignments(
      read.heads,
      snapshot,
      this.strategies,
      this.config.agingStepMs,
      ctx,
      batch,
      budgets,
    );
    // a held hint may be decided for now (a node has room now): it is then no longer a hint
    const hints = this.standby.plan(
      this.standby.enabled
        ? read.heads.filter((h) => !plan.reserved.has(h.id) && !this.standby.holds(h.id))
        : [],
      snapshot,
      this.config.agingStepMs,
      ctx,
      batch - plan.decisions.length,
    );
    if (plan.decisions.length === 0 && hints === undefined) return backlog;

    let results: AssignmentResult[];
    try {
      const reply = await this.tasks.assignAndHint(
        leaseValue,
        plan.decisions,
        Date.now(),
        this.limitsOf(read.heads),
        this.announcement,
        hints,
      );
      results = reply.results;
      if (hints !== undefined) this.standby.settle(hints, reply.hinted);
    } catch (err) {
      if (hints !== undefined) this.standby.settle(hints, undefined);
      this.cluster.markStale();
      if (err instanceof NotLeaderError) {
        this.logger.warn('assignment refused: the leader lease moved; standing by');
        this.standby.forget();
        await this.lease.renew();
        return false;
      }
      throw err;
    }
    let unannounced = 0;
    for (const r of results) {
      if (r.ok) {
        this.standby.assignedNow(r.taskId);
        if (!r.announced) unannounced++;
        continue;
      }
      const req = plan.reserved.get(r.taskId);
      if (req !== undefined) snapshot.reserve(r.nodeId, req, -1);
      if (r.reason === 'node' || r.reason === 'capacity') this.cluster.markStale();
    }
    if (unannounced > 0) this.warnUnannounced(unannounced);
    return plan.decisions.length >= batch || backlog;
  }

  /** How many more tasks of each limited type may start now (TYPE_LIMITS; empty when none). */
  private async typeBudgets(): Promise<Map<string, number>> {
    const budgets = new Map<string, number>();
    if (this.limitedTypes === 0) return budgets;
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

  /** Tasks too large for any node.assigned message: their workers read them from their leases. */
  private warnUnannounced(unannounced: number): void {
    this.logger.warn(
      `${unannounced} assignment(s) exceed MAX_BUS_MESSAGE_BYTES: not announced (the workers read them from Redis)`,
    );
  }

  /** Wake exactly when the next delayed task falls due (the fallback tick bounds it anyway). */
  private armDueTimer(nextDueAt: number | null): void {
    clearTimeout(this.dueTimer);
    if (nextDueAt === null) return;
    const delay = nextDueAt - Date.now();
    if (delay <= 0 || delay >= this.config.tickIntervalMs) return;
    this.dueTimer = setTimeout(() => this.wake(), delay + 1);
  }

  private logFailure(err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.logger.warn(
      `scheduling pass failed (retrying on the next tick): ${(err as Error).message}`,
    );
  }
}
