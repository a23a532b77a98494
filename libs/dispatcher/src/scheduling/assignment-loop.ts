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
  type QueueHead,
  type SwitchyardConfig,
} from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { ClusterState } from './cluster-state';
import { headsInFlight } from './heads-in-flight';
import { PassPlanner, type CommitInFlight, type PlannedPass } from './pass-planner';
import { StandbyPlanner } from './standby-planner';

/** A commit's outcome: every decision taken (`clean`), and whether more is likely waiting. */
interface Committed {
  more: boolean;
  clean: boolean;
}

/** What a pass leaves: whether more work is likely waiting, and the next pass if read ahead. */
interface PassStep {
  more: boolean;
  ahead?: PlannedPass;
}

/**
 * The leader's scheduling loop. Each pass: one read (promote due tasks, queue heads, depths),
 * decisions in memory (PassPlanner), one atomic commit that also tells each node what it got.
 * Passes run when something announces work (submit, finish, node change) and on a fallback
 * timer; at most one runs at a time and a wake during a pass schedules exactly one more.
 *
 * A full pass (a batch decided, so more is likely queued) reads and plans the next one while its
 * commit runs: that read goes out before the commit (sent as soon as the read's reply is in),
 * reads past the heads the commit takes and plans on the snapshot with the commit's capacity
 * reserved. The next pass commits it only
 * after a commit that took everything it decided, on the same snapshot under the same lease;
 * otherwise it is undone and the next pass reads afresh. At most one commit is in flight.
 */
@Injectable()
export class AssignmentLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AssignmentLoop.name);
  private running = false;
  private again = false;
  private wakePending = false;
  private stopped = false;
  private lastErrorLogAt = 0;
  private dueTimer: NodeJS.Timeout | undefined;
  private readonly announcement: AssignmentAnnouncement;
  /** The one task a submit announced while the loop was idle: the next pass decides it unread. */
  private lone: QueueHead | undefined;

  constructor(
    private readonly tasks: TaskSchedulingStore,
    private readonly cluster: ClusterState,
    private readonly planner: PassPlanner,
    private readonly lease: LeaderLease,
    private readonly scheduler: SchedulerRegistry,
    private readonly standby: StandbyPlanner,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.announcement = {
      channelBase: new ChannelNaming(config.prefix).channel(Patterns.NodeAssigned, ''),
      maxBytes: config.maxBusMessageBytes,
    };
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

  /**
   * Asks for a pass soon; cheap to call often (calls coalesce). `lone`: the only task a submit
   * queued; if nothing else asks for a pass before it runs, that pass plans it without reading
   * the queues (planLone), else the pass reads as usual.
   */
  wake(lone?: QueueHead): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.wakePending) {
      this.lone = undefined;
      return;
    }
    this.lone = lone;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped || !this.lease.isLeader) return;
    this.running = true;
    let ahead: PlannedPass | undefined;
    const lone = this.lone;
    this.lone = undefined;
    try {
      // bounded: each pass either assigns a full batch or promotes, or the loop ends
      for (let pass = 0; pass < 1000; pass++) {
        this.again = false;
        const ready = ahead;
        ahead = undefined;
        const step =
          pass === 0 && lone !== undefined ? await this.lonePass(lone) : await this.pass(ready);
        ahead = step.ahead;
        if (!(step.more || this.again) || this.stopped || !this.lease.isLeader) break;
      }
    } catch (err) {
      this.logFailure(err);
    } finally {
      // a pass read ahead and never committed (stopped, demoted, or the bound reached)
      if (ahead !== undefined) this.planner.drop(ahead);
      this.running = false;
    }
  }

  /**
   * A pass for a lone submitted task, with no read: one round trip instead of two on an idle
   * cluster. A read follows when it could not decide or commit it, or dependents wait (what the
   * read would have resolved).
   */
  private async lonePass(head: QueueHead): Promise<PassStep> {
    const leaseValue = this.lease.leaseValue;
    if (leaseValue === null) return { more: false };
    const planned = this.planner.planLone(leaseValue, await this.cluster.current(), head);
    if (planned === undefined) return { more: true };
    const done = await this.commit(planned, true);
    return { more: done.more || !done.clean };
  }

  /** One pass: its read and plan (unless the last pass read it ahead), then its commit. */
  private async pass(ready: PlannedPass | undefined): Promise<PassStep> {
    let planned = ready;
    if (planned === undefined) {
      const leaseValue = this.lease.leaseValue;
      if (leaseValue === null) return { more: false };
      const read = await this.planner.read(leaseValue, await this.cluster.current());
      this.armDueTimer(read.nextDueAt);
      if (read.planned === undefined) return { more: read.backlog };
      planned = read.planned;
    }
    const inFlight = this.readAhead(planned);
    let commit: Promise<Committed> | undefined;
    const send = (): Promise<Committed> => (commit ??= this.commit(planned));
    // the next pass's read goes first and this commit once its reply is in: Redis answers the
    // commands that reach it together only after running them all, so a read sent along with
    // the commit would come back after it, and nothing would be planned while the commit runs
    const next =
      inFlight === undefined
        ? undefined
        : this.planner.read(planned.leaseValue, planned.snapshot, inFlight, send);
    // a failed read is the next pass's failure: this commit goes out all the same
    const [after] = await Promise.allSettled([next]);
    const [done] = await Promise.allSettled([send()]);
    const upcoming = after.status === 'fulfilled' ? after.value : undefined;
    if (upcoming !== undefined) this.armDueTimer(upcoming.nextDueAt);
    if (done.status === 'rejected') {
      if (upcoming?.planned !== undefined) this.planner.drop(upcoming.planned);
      throw done.reason;
    }
    if (after.status === 'rejected') throw after.reason;
    const committed = done.value;
    if (upcoming === undefined) return { more: committed.more };
    // the read ahead stands for the next pass's read only after a commit that took all it
    // decided (nothing it skipped is back in the queue) on a picture nothing changed since
    if (!committed.clean) {
      if (upcoming.planned !== undefined) this.planner.drop(upcoming.planned);
      return { more: committed.more };
    }
    if (upcoming.planned === undefined) return { more: upcoming.backlog };
    if (this.mayCommit(upcoming.planned)) return { more: true, ahead: upcoming.planned };
    this.planner.drop(upcoming.planned);
    return { more: committed.more };
  }

  /**
   * The commit in flight to read the next pass ahead of, or undefined: only after a full pass
   * (more is likely queued; a pass that found the queue short does not spin), without hints or
   * TYPE_LIMITS (their reads and budgets wait for the commit), when each type's decided heads are
   * its first ones, on a snapshot still current and not due for its resync.
   */
  private readAhead(planned: PlannedPass): CommitInFlight | undefined {
    if (planned.plan.decisions.length < this.config.batchSize) return undefined;
    if (planned.hints !== undefined || this.planner.limitedTypes > 0) return undefined;
    // a resync reads the registry after the commit, so the next pass reads afresh then
    if (!this.mayCommit(planned) || this.cluster.due()) return undefined;
    const heads = headsInFlight(planned.heads, planned.plan.reserved);
    return heads === undefined ? undefined : { pass: planned, heads };
  }

  /** A pass planned earlier is still ours to commit: same lease, same snapshot, still running. */
  private mayCommit(planned: PlannedPass): boolean {
    return (
      !this.stopped &&
      this.lease.leaseValue === planned.leaseValue &&
      this.cluster.holds(planned.snapshot)
    );
  }

  /**
   * Commits a pass. `clean`: every decision was taken (none came back to the queue or the
   * snapshot); `more`: more work is likely waiting.
   */
  private async commit(p: PlannedPass, mustLead = false): Promise<Committed> {
    let reply: Awaited<ReturnType<TaskSchedulingStore['assignAndHint']>>;
    try {
      reply = await this.tasks.assignAndHint(
        p.leaseValue,
        p.plan.decisions,
        Date.now(),
        p.limits,
        this.announcement,
        p.hints,
        mustLead,
      );
      if (p.hints !== undefined) this.standby.settle(p.hints, reply.hinted);
    } catch (err) {
      if (p.hints !== undefined) this.standby.settle(p.hints, undefined);
      this.cluster.markStale();
      if (err instanceof NotLeaderError) {
        this.logger.warn('assignment refused: the leader lease moved; standing by');
        this.standby.forget();
        await this.lease.renew();
        return { more: false, clean: false };
      }
      throw err;
    }
    let unannounced = 0;
    let clean = true;
    for (const r of reply.results) {
      if (r.ok) {
        this.standby.assignedNow(r.taskId);
        if (!r.announced) unannounced++;
        continue;
      }
      clean = false;
      const req = p.plan.reserved.get(r.taskId);
      if (req !== undefined) p.snapshot.reserve(r.nodeId, req, -1);
      if (r.reason === 'node' || r.reason === 'capacity') this.cluster.markStale();
    }
    if (unannounced > 0) this.warnUnannounced(unannounced);
    const resolving = (reply.resolving ?? 0) > 0;
    return {
      more: p.plan.decisions.length >= this.config.batchSize || p.backlog || resolving,
      clean,
    };
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
    // a pass still running at shutdown leaves no timer behind
    if (nextDueAt === null || this.stopped) return;
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
