import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SWITCHYARD_CONFIG, TaskReadStore, type SwitchyardConfig } from '@switchyard/core';
import { NodeSession } from './node-session';
import { ReportBatcher } from './report-batcher';
import { TaskRunner } from './task-runner';

/**
 * Reads this node's leases from Redis on start and on a timer, and runs any leased task that
 * is not running here: an "assigned" notification that was lost delays a task by at most one
 * interval, never forever.
 */
@Injectable()
export class LeaseRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeaseRecovery.name);
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  recovered = 0;

  constructor(
    private readonly tasks: TaskReadStore,
    private readonly session: NodeSession,
    private readonly runner: TaskRunner,
    private readonly reports: ReportBatcher,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.recover(), this.config.claimIntervalMs);
    void this.recover();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async recover(): Promise<void> {
    if (this.reading || this.session.incarnation === 0) return;
    this.reading = true;
    try {
      const node = this.session.nodeId;
      const incarnation = this.session.incarnation;
      const ids = (await this.tasks.leasedTo(node)).filter(
        (id) => !this.runner.isRunning(id) && !this.reports.has(id),
      );
      if (ids.length === 0) return;
      for (const task of await this.tasks.getMany(ids)) {
        const lease = task.lease;
        if (lease === undefined || lease.node !== node || lease.incarnation !== incarnation)
          continue;
        if (this.runner.isRunning(task.id) || this.reports.has(task.id)) continue;
        this.recovered++;
        this.runner.run({
          id: task.id,
          lease: lease.seq,
          attempt: task.attempts,
          type: task.type,
          timeoutMs: task.timeoutMs,
          input: task.payload,
          slots: task.requirements.slots,
          cpu: task.requirements.cpu,
          memoryMb: task.requirements.memoryMb,
        });
      }
    } catch (err) {
      this.logger.warn(`lease read failed: ${(err as Error).message}`);
    } finally {
      this.reading = false;
    }
  }
}
