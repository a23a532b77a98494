import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  exceedsUtf8Bytes,
  NonRetryableError,
  SWITCHYARD_CONFIG,
  type AssignedTask,
  type FinishReport,
  type SwitchyardConfig,
  type TaskErrorInfo,
} from '@switchyard/core';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { AttemptAbort } from './attempt-abort';
import { AttemptContext } from './attempt-context';
import { AttemptDeadlines } from './attempt-deadlines';
import { HandlerRegistry } from './handler-registry';
import { IsolatedPool } from './isolated-pool';
import { NodeSession } from './node-session';
import { validatePayload } from './payload-validator';
import { ProgressReporter } from './progress-reporter';
import { ReportBatcher } from './report-batcher';

interface Running {
  lease: number;
  slots: number;
  abort: AttemptAbort;
  /** Why the signal was aborted by us (timeout/cancel/revoked), if it was. */
  reason?: 'timeout' | 'cancelled' | 'revoked' | 'drain';
  /** Settles when execute() has ended (outcome queued, entry removed). */
  done: Promise<void>;
  /** When the attempt times out (on the deadlines' clock); Infinity until its handler starts. */
  deadline: number;
  timeoutMs: number;
  /** The handler's ctx, once it has one (its progress calls are checked against it). */
  ctx: AttemptContext | undefined;
}

const SETTLED: Promise<void> = Promise.resolve();

class TaskAbort extends Error {}

/**
 * Runs handlers for leased tasks: one AttemptAbort per attempt, a timeout that aborts it,
 * the outcome handed to the ReportBatcher. Tracks what runs here so a task announced twice
 * (bus + recovery read) runs once.
 */
@Injectable()
export class TaskRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly running = new Map<string, Running>();
  private accepting = true;
  private readonly deadlines = new AttemptDeadlines<Running>(
    () => this.running.values(),
    (entry) => {
      entry.reason = 'timeout';
      entry.abort.abort(new TaskAbort(`timed out after ${entry.timeoutMs} ms`));
    },
    (entry) => entry.abort.aborted,
  );

  constructor(
    private readonly handlers: HandlerRegistry,
    private readonly reports: ReportBatcher,
    private readonly isolated: IsolatedPool,
    session: NodeSession,
    private readonly metrics: WorkerMetrics,
    private readonly progress: ProgressReporter,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    // a new incarnation holds none of the old leases: what still runs here is revoked
    session.onRejoin(() => this.abortAll('revoked'));
    // tasks a finish leased here from standby hints (STANDBY_ASSIGNMENTS) run at once
    reports.onRefill(
      (tasks) => {
        for (const task of tasks) this.run(task);
      },
      () => this.accepting,
    );
  }

  onApplicationShutdown(): void {
    this.deadlines.stop();
  }

  get size(): number {
    return this.running.size;
  }

  /** Slots held by the attempts running here. */
  get slotsInUse(): number {
    let slots = 0;
    for (const r of this.running.values()) slots += r.slots;
    return slots;
  }

  isRunning(taskId: string): boolean {
    return this.running.has(taskId);
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  run(task: AssignedTask): void {
    const existing = this.running.get(task.id);
    if (existing !== undefined && existing.lease >= task.lease) return;
    if (existing !== undefined) this.abort(task.id, 'revoked');
    if (!this.accepting) return;
    if (this.reports.has(task.id)) return;
    const entry: Running = {
      lease: task.lease,
      slots: task.slots,
      abort: new AttemptAbort(),
      reason: undefined,
      done: SETTLED,
      deadline: Infinity,
      timeoutMs: 0,
      ctx: undefined,
    };
    this.running.set(task.id, entry);
    entry.done = this.execute(task, entry);
  }

  /** Aborts a running attempt (cancel, revoked lease); its outcome is not reported. */
  abort(taskId: string, reason: Running['reason'], lease?: number): void {
    const entry = this.running.get(taskId);
    if (entry === undefined || (lease !== undefined && entry.lease !== lease)) return;
    entry.reason = reason;
    entry.abort.abort(new TaskAbort(`task ${reason}`));
    this.running.delete(taskId);
  }

  /** Aborts everything (lease revoked by a new incarnation). */
  abortAll(reason: Running['reason']): void {
    for (const id of [...this.running.keys()]) this.abort(id, reason);
  }

  /** Resolves when every running attempt has settled, or at the deadline; returns the ids still running. */
  async settle(deadlineMs: number): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.running.values()].map((r) => r.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs))),
    ]);
    clearTimeout(timer);
    return [...this.running.keys()];
  }

  /** Runs one attempt and queues its outcome. Removes its entry when done, whatever happens. */
  private async execute(task: AssignedTask, entry: Running): Promise<void> {
    try {
      const startedAt = Date.now();
      const handler = this.handlers.get(task.type);
      if (handler === undefined) {
        this.finish(task, entry, startedAt, undefined, {
          message: `no handler for task type "${task.type}" on this node`,
          retryable: true,
        });
        return;
      }
      this.reports.started({ taskId: task.id, lease: task.lease, startedAt });
      this.metrics.started(task.id, task.type, task.attempt, startedAt);
      entry.timeoutMs = Math.min(task.timeoutMs, handler.options.timeoutMs ?? Infinity);
      entry.deadline = this.deadlines.clock() + entry.timeoutMs;
      this.deadlines.watch(entry.deadline);
      const ctx = new AttemptContext(
        task.id,
        task.attempt,
        entry.abort,
        this.reportProgress,
        this.logger,
      );
      entry.ctx = ctx;
      try {
        const parsed: unknown = JSON.parse(task.payload);
        const dto = handler.options.payload;
        // awaited either way: the handler starts in a later microtask, once every task of the
        // assignment that brought it is registered here
        const payload: unknown = await (dto === undefined ? parsed : validatePayload(dto, parsed));
        const result: unknown = await entry.abort.race(
          handler.options.isolated !== undefined
            ? this.isolated.run(handler.options.isolated, payload, entry.abort.signal)
            : handler.run(payload, ctx),
        );
        this.metrics.handlerDone(task.type, 'ok', Date.now() - startedAt);
        const json = this.encodeResult(result);
        if (typeof json === 'string') this.finish(task, entry, startedAt, json, undefined);
        else this.finish(task, entry, startedAt, undefined, json);
      } catch (err) {
        this.metrics.handlerDone(task.type, 'error', Date.now() - startedAt);
        const error = this.describeError(err, entry);
        this.logger.debug({
          msg: `task ${task.id} attempt ${task.attempt} failed: ${error.message}`,
          taskId: task.id,
          type: task.type,
        });
        this.finish(task, entry, startedAt, undefined, error);
      } finally {
        this.progress.forget(task.id);
      }
    } finally {
      if (this.running.get(task.id) === entry) this.running.delete(task.id);
    }
  }

  /** A handler's ctx.progress(): written while its attempt still runs here, ignored after. */
  private readonly reportProgress = (ctx: AttemptContext, percent: number, data: unknown): void => {
    const entry = this.running.get(ctx.taskId);
    if (entry !== undefined && entry.ctx === ctx && !entry.abort.aborted) {
      this.progress.report(ctx.taskId, entry.lease, percent, data);
    }
  };

  /** Queues the attempt's outcome, unless it was aborted for a reason other than its timeout. */
  private finish(
    task: AssignedTask,
    entry: Running,
    startedAt: number,
    resultJson: string | undefined,
    error: TaskErrorInfo | undefined,
  ): void {
    if (entry.reason !== undefined && entry.reason !== 'timeout') return;
    const othersRunning = this.running.size > (this.running.get(task.id) === entry ? 1 : 0);
    // the report finish.lua gets, made once (the batcher draws the jitter when it writes)
    const report: FinishReport = {
      taskId: task.id,
      lease: task.lease,
      startedAt,
      resultJson,
      error,
      retry: this.reports.retryPolicyOf(task.type),
      random: 0,
    };
    this.reports.finished({ type: task.type, report }, othersRunning);
  }

  /** The result's JSON, or the error when it is over MAX_RESULT_BYTES. */
  private encodeResult(result: unknown): string | TaskErrorInfo {
    const json = JSON.stringify(result ?? null) ?? 'null';
    if (exceedsUtf8Bytes(json, this.config.maxResultBytes)) {
      return {
        message: `result is larger than MAX_RESULT_BYTES (${this.config.maxResultBytes})`,
        code: 'result_too_large',
        retryable: false,
      };
    }
    return json;
  }

  private describeError(err: unknown, entry: Running): TaskErrorInfo {
    if (entry.reason === 'timeout')
      return { message: `timed out after ${entry.timeoutMs} ms`, code: 'timeout', retryable: true };
    if (err instanceof NonRetryableError) {
      return {
        message: err.message,
        retryable: false,
        ...(err.code !== undefined && { code: err.code }),
      };
    }
    const e = err as { message?: unknown; retryable?: unknown; code?: unknown };
    const message = typeof e?.message === 'string' ? e.message : String(err);
    return {
      message: message.slice(0, 4096),
      retryable: e?.retryable !== false,
      ...(typeof e?.code === 'string' && { code: e.code.slice(0, 64) }),
    };
  }
}
