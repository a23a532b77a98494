import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  SWITCHYARD_CONFIG,
  TaskReportStore,
  type ProgressReport,
  type SwitchyardConfig,
} from '@switchyard/core';
import { NodeSession } from './node-session';

/**
 * Coalesces handlers' progress reports: only the latest value per task is kept, and all of
 * them are written together at most every PROGRESS_INTERVAL_MS (one progress.lua call, under
 * each task's lease). A handler calling `ctx.progress` in a tight loop costs a map write.
 * Bounded by the tasks running here (one entry each; data over MAX_PROGRESS_BYTES is dropped).
 */
@Injectable()
export class ProgressReporter implements OnApplicationShutdown {
  private readonly logger = new Logger(ProgressReporter.name);
  private pending = new Map<string, ProgressReport>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly tasks: TaskReportStore,
    private readonly session: NodeSession,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  report(taskId: string, lease: number, percent: number, data?: unknown): void {
    if (this.closed) return;
    const p = Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0;
    let dataJson: string | undefined;
    if (data !== undefined) {
      try {
        dataJson = JSON.stringify(data);
      } catch {
        dataJson = undefined; // circular or BigInt: keep the percent
      }
      if (dataJson !== undefined && Buffer.byteLength(dataJson) > this.config.maxProgressBytes) {
        this.logger.warn({
          msg: `progress data of task ${taskId} is over MAX_PROGRESS_BYTES: dropped`,
          taskId,
        });
        dataJson = undefined;
      }
    }
    this.pending.set(taskId, {
      taskId,
      lease,
      percent: p,
      ...(dataJson !== undefined && { dataJson }),
    });
    this.timer ??= setTimeout(() => this.flush(), this.config.progressIntervalMs);
  }

  /** Drops a task's unwritten progress (it finished or was aborted). */
  forget(taskId: string): void {
    this.pending.delete(taskId);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.pending.size === 0 || this.writing !== undefined) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.tasks
      .progress(this.session.nodeId, this.session.incarnation, batch)
      .then(() => undefined)
      // progress is advisory: a failed write is dropped, the next report writes anew
      .catch((err: unknown) => this.logger.warn(`progress write failed: ${(err as Error).message}`))
      .finally(() => {
        this.writing = undefined;
        if (this.pending.size > 0 && !this.closed) {
          this.timer ??= setTimeout(() => this.flush(), this.config.progressIntervalMs);
        }
      });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.writing;
  }
}
