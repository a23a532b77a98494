import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  NonRetryableError,
  SWITCHYARD_CONFIG,
  type AssignedTask,
  type SwitchyardConfig,
  type TaskContext,
  type TaskErrorInfo,
} from '@switchyard/core';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { AttemptAbort } from './attempt-abort';
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
  done: Promise<void>;
}

class TaskAbort extends Error {}

/**
 * Runs handlers for leased tasks: one AttemptAbort per attempt, a timeout that aborts it,
 * the outcome handed to the ReportBatcher. Tracks what runs here so a task announced twice
 * (bus + recovery read) runs once.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly running = new Map<string, Running>();
  private accepting = true;

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
      done: Promise.resolve(),
    };
    this.running.set(task.id, entry);
    entry.done = this.execute(task, entry).finally(() => {
      if (this.running.get(task.id) === entry) this.running.delete(task.id);
    });
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

  private async execute(task: AssignedTask, entry: Running): Promise<void> {
    const startedAt = Date.now();
    const handler = this.handlers.get(task.type);
    const finish = (result: { resultJson?: string; error?: TaskErrorInfo }): void => {
      if (entry.reason !== undefined && entry.reason !== 'timeout') return;
      const othersRunning = this.running.size > (this.running.get(task.id) === entry ? 1 : 0);
      this.reports.finished(
        {
          type: task.type,
          report: { taskId: task.id, lease: task.lease, startedAt, ...result },
        },
        othersRunning,
      );
    };
    if (handler === undefined) {
      finish({
        error: { message: `no handler for task type "${task.type}" on this node`, retryable: true },
      });
      return;
    }
    this.reports.started({ taskId: task.id, lease: task.lease, startedAt });
    this.metrics.started(task.id, task.type, task.attempt, startedAt);
    const timeoutMs = Math.min(task.timeoutMs, handler.options.timeoutMs ?? Infinity);
    const timer = setTimeout(() => {
      entry.reason = 'timeout';
      entry.abort.abort(new TaskAbort(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const ctx: TaskContext = {
      taskId: task.id,
      attempt: task.attempt,
      get signal() {
        return entry.abort.signal;
      },
      progress: (percent, data) => {
        // after the attempt ended (or was aborted) a late call must not write
        if (this.running.get(task.id) === entry && !entry.abort.aborted) {
          this.progress.report(task.id, task.lease, percent, data);
        }
      },
      logger: this.logger,
    };
    try {
      const parsed: unknown = JSON.parse(task.payload);
      const dto = handler.options.payload;
      const payload = dto === undefined ? parsed : await validatePayload(dto, parsed);
      const result = await Promise.race([
        Promise.resolve().then(() =>
          handler.options.isolated !== undefined
            ? this.isolated.run(handler.options.isolated, payload, entry.abort.signal)
            : handler.run(payload, ctx),
        ),
        entry.abort.whenAborted(),
      ]);
      this.metrics.handlerDone(task.type, 'ok', Date.now() - startedAt);
      finish(this.encodeResult(result));
    } catch (err) {
      this.metrics.handlerDone(task.type, 'error', Date.now() - startedAt);
      const error = this.describeError(err, entry, timeoutMs);
      this.logger.debug({
        msg: `task ${task.id} attempt ${task.attempt} failed: ${error.message}`,
        taskId: task.id,
        type: task.type,
      });
      finish({ error });
    } finally {
      clearTimeout(timer);
      this.progress.forget(task.id);
    }
  }

  private encodeResult(result: unknown): { resultJson?: string; error?: TaskErrorInfo } {
    const json = JSON.stringify(result ?? null) ?? 'null';
    if (Buffer.byteLength(json) > this.config.maxResultBytes) {
      return {
        error: {
          message: `result is larger than MAX_RESULT_BYTES (${this.config.maxResultBytes})`,
          code: 'result_too_large',
          retryable: false,
        },
      };
    }
    return { resultJson: json };
  }

  private describeError(err: unknown, entry: Running, timeoutMs: number): TaskErrorInfo {
    if (entry.reason === 'timeout')
      return { message: `timed out after ${timeoutMs} ms`, code: 'timeout', retryable: true };
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
