import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { StatsStore, SWITCHYARD_CONFIG, type SwitchyardConfig } from '@switchyard/core';

/** Samples kept: with DASHBOARD_SAMPLE_MS = 5 s, the last five minutes. */
export const HISTORY_SAMPLES = 60;

export interface HistorySample {
  at: number;
  /** Ready tasks over all types. */
  queued: number;
  /** Cluster-wide counters at `at` (throughput is the difference of two samples). */
  submitted: number;
  succeeded: number;
  failed: number;
}

/**
 * A short in-memory history for the dashboard chart: every DASHBOARD_SAMPLE_MS one read of
 * the cluster counters and queue depths, the last HISTORY_SAMPLES kept. Each dispatcher
 * keeps its own; they read the same Redis, so they agree.
 */
@Injectable()
export class DashboardHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DashboardHistory.name);
  private readonly samples: HistorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;

  constructor(
    private readonly stats: StatsStore,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sample(), this.config.dashboardSampleMs);
    void this.sample();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  list(): HistorySample[] {
    return [...this.samples];
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const [counters, depths] = await Promise.all([
        this.stats.counters(),
        this.stats.queueDepths(this.config.maxTaskTypes),
      ]);
      let queued = 0;
      for (const d of depths.values()) queued += d;
      this.samples.push({
        at: Date.now(),
        queued,
        submitted: counters.submitted ?? 0,
        succeeded: counters.succeeded ?? 0,
        failed: counters.failed ?? 0,
      });
      if (this.samples.length > HISTORY_SAMPLES)
        this.samples.splice(0, this.samples.length - HISTORY_SAMPLES);
    } catch (err) {
      this.logger.debug(`dashboard sample skipped: ${(err as Error).message}`);
    } finally {
      this.sampling = false;
    }
  }
}
