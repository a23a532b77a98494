import { Inject, Injectable } from '@nestjs/common';
import {
  BUS_DROPS_METRIC,
  BusDrops,
  submittedAtOf,
  SWITCHYARD_CONFIG,
  type FinishOutcome,
  type SwitchyardConfig,
} from '@switchyard/core';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SeriesCounter, type CounterSeries } from './series-counter';
import { SeriesHistogram, type HistogramSeries } from './series-histogram';

/** Seconds: from a few ms (hot path) to an hour (long delays and backlogs). */
const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** A task type's per-task series, each looked up on its first use (unused ones stay unexported). */
interface TypeSeries {
  toStart?: HistogramSeries;
  handlerOk?: HistogramSeries;
  handlerError?: HistogramSeries;
  toFinishSucceeded?: HistogramSeries;
  toFinishFailed?: HistogramSeries;
  succeeded?: CounterSeries;
  failed?: CounterSeries;
}

/**
 * A worker's Prometheus metrics: what happened to the tasks this node ran. Sum over nodes
 * for the cluster (the dispatcher's switchyard_cluster_tasks_total holds the Redis-kept
 * totals, which also count what no worker reports: cancels, dead nodes' tasks). Submit times
 * come from the task id (a ULID made at submit), so latency spans hosts' clocks. What moves
 * per task uses SeriesHistogram/SeriesCounter with series cached per type (no label objects
 * validated and hashed per call); the rest stays plain prom-client.
 */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly succeeded: SeriesCounter<'type'>;
  private readonly failed: SeriesCounter<'type'>;
  private readonly retried: Counter<'type'>;
  private readonly rejected: Counter<'reason'>;
  private readonly refilled: Counter;
  private readonly handlerSeconds: SeriesHistogram<'type' | 'outcome'>;
  private readonly toStart: SeriesHistogram<'type'>;
  private readonly toFinish: SeriesHistogram<'type' | 'state'>;
  private readonly byType = new Map<string, TypeSeries>();

  constructor(@Inject(SWITCHYARD_CONFIG) config: SwitchyardConfig, drops: BusDrops) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: config.nodeId });
    collectDefaultMetrics({ register: this.registry });
    this.succeeded = new SeriesCounter({
      name: 'switchyard_tasks_succeeded_total',
      help: 'Tasks this node ran to success, by type.',
      labelNames: ['type'],
      registers,
    });
    this.failed = new SeriesCounter({
      name: 'switchyard_tasks_failed_total',
      help: 'Tasks that ended failed on this node (attempts exhausted or non-retryable), by type.',
      labelNames: ['type'],
      registers,
    });
    this.retried = new Counter({
      name: 'switchyard_tasks_retried_total',
      help: 'Failed attempts on this node that went back to wait for a retry, by type.',
      labelNames: ['type'],
      registers,
    });
    this.rejected = new Counter({
      name: 'switchyard_reports_rejected_total',
      help: 'Results Redis refused (stale lease, task gone or in another state).',
      labelNames: ['reason'],
      registers,
    });
    this.refilled = new Counter({
      name: 'switchyard_standby_tasks_total',
      help: 'Tasks this node took from its standby hints in the call that recorded its results (STANDBY_ASSIGNMENTS).',
      registers,
    });
    this.handlerSeconds = new SeriesHistogram({
      name: 'switchyard_handler_duration_seconds',
      help: 'Handler run time, by type and outcome.',
      labelNames: ['type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.toStart = new SeriesHistogram({
      name: 'switchyard_task_submit_to_start_seconds',
      help: 'From submit to the first attempt starting here, by type.',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.toFinish = new SeriesHistogram({
      name: 'switchyard_task_submit_to_finish_seconds',
      help: 'From submit to the terminal outcome recorded by this node, by type and state.',
      labelNames: ['type', 'state'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Counter({
      ...BUS_DROPS_METRIC,
      labelNames: [...BUS_DROPS_METRIC.labelNames],
      registers,
      collect() {
        drops.copyTo(this);
      },
    });
    new Gauge({
      name: 'switchyard_node_slots',
      help: 'Slot capacity of this node.',
      registers,
    }).set(config.workerSlots);
  }

  /** A handler started (first attempts only feed submit → start). */
  started(taskId: string, type: string, attempt: number, at: number): void {
    if (attempt !== 1) return;
    const t = this.seriesOf(type);
    t.toStart ??= this.toStart.labels({ type });
    t.toStart.observe(Math.max(0, at - submittedAtOf(taskId)) / 1000);
  }

  handlerDone(type: string, outcome: 'ok' | 'error', ms: number): void {
    const t = this.seriesOf(type);
    const series =
      outcome === 'ok'
        ? (t.handlerOk ??= this.handlerSeconds.labels({ type, outcome }))
        : (t.handlerError ??= this.handlerSeconds.labels({ type, outcome }));
    series.observe(ms / 1000);
  }

  /** A finish call leased `count` tasks here from standby hints. */
  refilledFromStandby(count: number): void {
    this.refilled.inc(count);
  }

  /** What Redis said about a written batch of results (outcomes[i] is that of entries[i]). */
  recorded(
    entries: readonly { type: string; report: { taskId: string } }[],
    outcomes: readonly FinishOutcome[],
    at: number,
  ): void {
    for (let i = 0; i < outcomes.length; i++) {
      const outcome = outcomes[i];
      const { type, report } = entries[i];
      if (outcome === 'succeeded' || outcome === 'failed') {
        const t = this.seriesOf(type);
        const seconds = Math.max(0, at - submittedAtOf(report.taskId)) / 1000;
        if (outcome === 'succeeded') {
          (t.succeeded ??= this.succeeded.labels({ type })).inc();
          t.toFinishSucceeded ??= this.toFinish.labels({ type, state: outcome });
          t.toFinishSucceeded.observe(seconds);
        } else {
          (t.failed ??= this.failed.labels({ type })).inc();
          t.toFinishFailed ??= this.toFinish.labels({ type, state: outcome });
          t.toFinishFailed.observe(seconds);
        }
      } else if (outcome === 'delayed') {
        this.retried.inc({ type });
      } else {
        this.rejected.inc({ reason: outcome.startsWith('state:') ? 'state' : outcome });
      }
    }
  }

  private seriesOf(type: string): TypeSeries {
    let t = this.byType.get(type);
    if (t === undefined) {
      t = {};
      this.byType.set(type, t);
    }
    return t;
  }

  /** Live gauges, set right before a scrape. */
  setLoad(running: number, slotsUsed: number): void {
    this.runningGauge.set(running);
    this.slotsUsedGauge.set(slotsUsed);
  }

  private readonly runningGauge = new Gauge({
    name: 'switchyard_node_tasks_running',
    help: 'Handlers running on this node.',
    registers: [this.registry],
  });
  private readonly slotsUsedGauge = new Gauge({
    name: 'switchyard_node_slots_used',
    help: 'Slots in use on this node.',
    registers: [this.registry],
  });
}
