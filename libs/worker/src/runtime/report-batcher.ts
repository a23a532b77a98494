import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  ChannelNaming,
  Patterns,
  retryPolicyFor,
  SWITCHYARD_CONFIG,
  TaskReportStore,
  type AssignedTask,
  type FinishReport,
  type RetryPolicy,
  type StartReport,
  type SwitchyardConfig,
} from '@switchyard/core';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { NodeSession } from './node-session';

/**
 * A start is written by the time its task has run this long, if it still runs then; a task that
 * finishes sooner is recorded in one write (its finish carries the start).
 */
const START_LINGER_MS = 50;
/**
 * A start write takes only the starts at least this old; younger ones wait for a later write. A
 * task that ends within this long never has its start written on its own (short tasks were
 * written whenever they happened to run at a 50 ms tick: a third of them under a 10 ms
 * handler), and start writes go out at most every START_LINGER_MS − START_MIN_AGE_MS.
 */
const START_MIN_AGE_MS = 25;
const MAX_BATCH = 512;
const RETRY_DELAY_MS = 200;

export interface Finished {
  type: string;
  /** Written as is; `random` is drawn afresh for each write. */
  report: FinishReport;
}

/**
 * Group commit of a worker's reports. Up to REPORT_WRITES_IN_FLIGHT writes go out at once
 * (each one script call for its batch); results that end while that many are in flight queue
 * up and go out together in the next one. A failed write puts its reports back and retries
 * after a delay (nothing else is written meanwhile); the queue is bounded by the node's
 * in-flight tasks, since each holds at most one pending report.
 */
@Injectable()
export class ReportBatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(ReportBatcher.name);
  private readonly starts = new Map<string, StartReport>();
  private finishes: Finished[] = [];
  /** Ids of the results not written yet (queued or being written), so `has` is not a scan. */
  private readonly unwritten = new Set<string>();
  /** Finish writes sent and not yet answered (at most `config.reportWritesInFlight`). */
  private inFlight = 0;
  /** What the next flush waits for, if one is scheduled. */
  private pending: 'turn' | 'linger' | 'retry' | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushImmediate: NodeJS.Immediate | undefined;
  /** The pending 'turn' may go on to linger (not after a write or for a drain). */
  private mayLinger = false;
  /** As of the latest result: other tasks still run here. */
  private othersRunning = false;
  private startTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  staleReports = 0;
  /** finish.lua announces on it (one write per batch: the script call). */
  private readonly finishedChannel: string;
  /** The config's retry policy per type, made once (the store caches its text by identity). */
  private readonly policies = new Map<string, RetryPolicy>();
  /** Who runs the tasks a finish leases from standby hints, and whether it takes any now. */
  private refill: { run: (tasks: AssignedTask[]) => void; accepting: () => boolean } | undefined;

  constructor(
    private readonly tasks: TaskReportStore,
    private readonly session: NodeSession,
    private readonly metrics: WorkerMetrics,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    this.finishedChannel = new ChannelNaming(config.prefix).channel(Patterns.TasksFinished);
  }

  /** True while a report for the task is queued or being written. */
  has(taskId: string): boolean {
    return this.starts.has(taskId) || this.unwritten.has(taskId);
  }

  /**
   * STANDBY_ASSIGNMENTS: each finish write also takes this node's standby hints (while
   * `accepting`), and `run` gets the tasks it leased here.
   */
  onRefill(run: (tasks: AssignedTask[]) => void, accepting: () => boolean): void {
    this.refill = { run, accepting };
  }

  started(report: StartReport): void {
    this.starts.set(report.taskId, report);
    if (this.startTimer === undefined) this.armStarts(report.startedAt);
  }

  /** The start write is due when the start at `startedAt` (the oldest pending) is START_LINGER_MS old. */
  private armStarts(startedAt: number): void {
    const delay = Math.min(START_LINGER_MS, Math.max(0, startedAt + START_LINGER_MS - Date.now()));
    this.startTimer = setTimeout(this.startsDue, delay);
  }

  private readonly startsDue = (): void => {
    this.startTimer = undefined;
    void this.flushStarts();
  };

  /**
   * Queues a result. While other tasks still run here, it waits up to REPORT_LINGER_MS for
   * theirs (bigger batches under load); the last running task's result goes out at once
   * (no linger on an idle node's latency): in this call when no write is in flight, since no
   * other result can end in this turn to join it.
   */
  finished(entry: Finished, othersRunning = false): void {
    this.starts.delete(entry.report.taskId);
    this.finishes.push(entry);
    this.unwritten.add(entry.report.taskId);
    this.othersRunning = othersRunning;
    if (othersRunning) return this.scheduleFlush(true);
    if (this.pending === 'linger') this.cancelPending();
    if (this.inFlight > 0 || this.pending === 'retry') return this.scheduleFlush(true);
    this.cancelPending();
    void this.flush();
  }

  /** Resolves once every queued report is written (or the deadline passes). */
  async drain(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    while ((this.finishes.length > 0 || this.inFlight > 0) && Date.now() < until) {
      if (this.pending === 'linger') this.cancelPending();
      if (this.pending === 'turn') this.mayLinger = false;
      this.scheduleFlush(false);
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, Math.max(1, until - Date.now())).unref();
      });
    }
  }

  onApplicationShutdown(): void {
    this.cancelPending();
    clearTimeout(this.startTimer);
  }

  /**
   * A flush at the end of this turn of the event loop (a setImmediate), so every result of
   * the tasks that ended in it joins; then, if tasks still run here, after the linger. Results
   * of one assignment's quick tasks all end in one turn: no linger timer is set for them.
   */
  private scheduleFlush(mayLinger: boolean): void {
    if (this.pending !== undefined || !this.mayWrite()) return;
    this.pending = 'turn';
    this.mayLinger = mayLinger;
    this.flushImmediate = setImmediate(this.afterTurn);
  }

  private readonly afterTurn = (): void => {
    this.pending = undefined;
    this.flushImmediate = undefined;
    const linger = this.mayLinger && this.othersRunning ? this.config.reportLingerMs : 0;
    if (linger > 0) this.flushAfter('linger', linger);
    else void this.flush();
  };

  private flushAfter(why: 'linger' | 'retry', delayMs: number): void {
    this.pending = why;
    this.flushTimer = setTimeout(this.afterDelay, delayMs);
  }

  private readonly afterDelay = (): void => {
    this.pending = undefined;
    this.flushTimer = undefined;
    void this.flush();
  };

  private cancelPending(): void {
    clearTimeout(this.flushTimer);
    if (this.flushImmediate !== undefined) clearImmediate(this.flushImmediate);
    this.flushTimer = undefined;
    this.flushImmediate = undefined;
    this.pending = undefined;
  }

  /** Another write may go out now. */
  private mayWrite(): boolean {
    return this.inFlight < this.config.reportWritesInFlight;
  }

  private async flush(): Promise<void> {
    if (!this.mayWrite() || this.finishes.length === 0) return;
    this.inFlight++;
    const batch = this.finishes.splice(0, MAX_BATCH);
    let failed = false;
    try {
      await this.write(batch);
      for (const f of batch) this.unwritten.delete(f.report.taskId);
    } catch (err) {
      this.logger.warn(
        `writing ${batch.length} results failed, retrying: ${(err as Error).message}`,
      );
      this.finishes = batch.concat(this.finishes);
      failed = true;
    } finally {
      this.inFlight--;
    }
    if (failed) {
      // one retry timer, whatever else was due: no write goes out before it
      if (this.pending !== 'retry') {
        this.cancelPending();
        this.flushAfter('retry', RETRY_DELAY_MS);
      }
    } else if (this.finishes.length > 0) this.scheduleFlush(false);
    else if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
  }

  private async write(batch: Finished[]): Promise<void> {
    const node = this.session.nodeId;
    const reports: FinishReport[] = new Array<FinishReport>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const report = batch[i].report;
      // six decimals are plenty for a jitter, and a short number is cheaper to turn into
      // text, send and parse in finish.lua than Math.random()'s seventeen digits
      report.random = Math.floor(Math.random() * 1e6) / 1e6;
      reports[i] = report;
    }
    // the script publishes tasks.finished itself (what ended, capacity freed) once committed
    const incarnation = this.session.incarnation;
    const refill =
      this.config.standbyAssignments && this.refill?.accepting() ? this.refill : undefined;
    const { outcomes, assigned } = await this.tasks.finishAndRefill(
      node,
      incarnation,
      reports,
      Date.now(),
      this.finishedChannel,
      refill !== undefined,
    );
    // leased to this incarnation: a rejoin since revoked them (the runner aborted its tasks)
    if (refill !== undefined && assigned.length > 0 && this.session.incarnation === incarnation) {
      this.metrics.refilledFromStandby(assigned.length);
      refill.run(assigned);
    }
    this.metrics.recorded(batch, outcomes, Date.now());
    outcomes.forEach((outcome, i) => {
      if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'delayed') return;
      this.staleReports++;
      const taskId = batch[i].report.taskId;
      this.logger.warn({ msg: `result for task ${taskId} rejected: ${outcome}`, taskId, node });
    });
  }

  /** The config's retry policy for a type (one object per type, for the store's text cache). */
  retryPolicyOf(type: string): RetryPolicy {
    let policy = this.policies.get(type);
    if (policy === undefined) {
      policy = retryPolicyFor(this.config, type);
      this.policies.set(type, policy);
    }
    return policy;
  }

  private async flushStarts(): Promise<void> {
    const takenBy = Date.now() - START_MIN_AGE_MS;
    const reports: StartReport[] = [];
    for (const r of this.starts.values()) {
      if (r.startedAt <= takenBy) reports.push(r);
      if (reports.length === MAX_BATCH) break;
    }
    for (const r of reports) this.starts.delete(r.taskId);
    // the oldest start left (the map keeps start order) sets the next write
    const next = this.starts.values().next();
    if (next.done !== true) this.armStarts(next.value.startedAt);
    if (reports.length > 0) await this.writeStarts(reports);
  }

  private async writeStarts(reports: StartReport[]): Promise<void> {
    try {
      const outcomes = await this.tasks.start(
        this.session.nodeId,
        this.session.incarnation,
        reports,
      );
      outcomes.forEach((outcome, i) => {
        if (outcome === 'running') return;
        this.staleReports++;
        this.logger.warn(`start of task ${reports[i].taskId} rejected: ${outcome}`);
      });
    } catch (err) {
      // the finish report will carry the start; nothing is lost
      this.logger.debug(`start reports not written: ${(err as Error).message}`);
    }
  }
}
