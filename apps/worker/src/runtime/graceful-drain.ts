import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '@switchyard/core';
import { LeaseRecovery } from './lease-recovery';
import { NodeSession } from './node-session';
import { ReportBatcher } from './report-batcher';
import { TaskRunner } from './task-runner';

/** Shutdown order: stop taking work → let in-flight work finish (bounded) → write results → close. */
@Injectable()
export class GracefulDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulDrain.name);

  constructor(
    private readonly runner: TaskRunner,
    private readonly recovery: LeaseRecovery,
    private readonly reports: ReportBatcher,
    private readonly session: NodeSession,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`draining (${signal ?? 'shutdown'}): ${this.runner.size} task(s) in flight`);
    this.runner.stopAccepting();
    this.recovery.stop();
    const left = await this.runner.settle(this.config.drainGraceMs);
    if (left.length > 0) {
      this.runner.abortAll('drain');
      this.logger.warn(`${left.length} task(s) did not finish within DRAIN_GRACE_MS; their leases will be reclaimed`);
    }
    await this.reports.drain(5000);
    this.session.stopHeartbeats();
  }
}
