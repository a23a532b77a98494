import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { SWITCHYARD_CONFIG, type SwitchyardConfig } from '@switchyard/core';
import { LeaseRecovery } from './lease-recovery';
import { NodeSession } from './node-session';
import { ReportBatcher } from './report-batcher';
import { TaskRunner } from './task-runner';

/** How long the last results may take to reach Redis before the node hands back and leaves. */
const REPORT_DRAIN_MS = 5000;

/**
 * Shutdown order (SIGTERM, or POST /nodes/:id/drain via the bus or the heartbeat):
 * status draining (no new work) → in-flight tasks finish within DRAIN_GRACE_MS → the rest are
 * aborted → results written → unfinished leases handed back without counting an attempt and the
 * node leaves the registry (one script) → heartbeats stop. If Redis is away at the end, the
 * leases are not lost: the dispatcher's health check reclaims them when the node falls silent.
 */
@Injectable()
export class GracefulDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulDrain.name);
  private exitRequest: ((why: string) => void) | undefined;

  constructor(
    private readonly runner: TaskRunner,
    private readonly recovery: LeaseRecovery,
    private readonly reports: ReportBatcher,
    private readonly session: NodeSession,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {
    session.onDrainRequested((why) => {
      this.logger.log(`drain requested: ${why}`);
      this.exitRequest?.(why);
    });
  }

  /** main.ts registers how a remote drain request ends the process (the same path as SIGTERM). */
  onExitRequested(exit: (why: string) => void): void {
    this.exitRequest = exit;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`draining (${signal ?? 'shutdown'}): ${this.runner.size} task(s) in flight`);
    this.runner.stopAccepting();
    this.recovery.stop();
    await this.session
      .beginDrain()
      .catch((err: unknown) =>
        this.logger.warn(`could not mark the node draining: ${String(err)}`),
      );
    const left = await this.runner.settle(this.config.drainGraceMs);
    if (left.length > 0) {
      this.runner.abortAll('drain');
      this.logger.warn(
        `${left.length} task(s) did not finish within DRAIN_GRACE_MS; handing them back`,
      );
    }
    await this.reports.drain(REPORT_DRAIN_MS);
    try {
      const out = await this.session.leave();
      if (out === null)
        this.logger.warn('this incarnation was no longer registered: nothing to hand back');
      else this.logger.log(`left the registry: ${out.requeued} task(s) handed back to the queue`);
    } catch (err) {
      this.logger.warn(
        `could not hand back and leave (the health check will reclaim): ${(err as Error).message}`,
      );
    }
    this.session.stopHeartbeats();
  }
}
