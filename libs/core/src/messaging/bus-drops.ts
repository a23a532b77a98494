import { Logger } from '@nestjs/common';
import { WindowedLog } from '../logging/windowed-log';
import type { DropReason } from './bus-message-check';

/** The Prometheus counter both apps expose, filled from BusDrops at scrape time. */
export const BUS_DROPS_METRIC = {
  name: 'switchyard_bus_messages_dropped_total',
  help: 'Bus messages this process dropped unread, by pattern and reason (oversized, unparseable, malformed, unknown-pattern, invalid).',
  labelNames: ['pattern', 'reason'],
} as const;

/** The part of a prom-client Counter BusDrops writes into. */
export interface DropCounterSink {
  reset(): void;
  inc(labels: { pattern: string; reason: string }, value: number): void;
}

/** At most one warning per window; what else was dropped in it is summed up in the next one. */
const LOG_WINDOW_MS = 10_000;

/**
 * Bus messages dropped by this process, by pattern and reason. A plain counter the apps'
 * metrics modules expose as switchyard_bus_messages_dropped_total (core stays free of
 * prom-client). Labels are bounded: patterns are those this process subscribes to, reasons
 * a fixed set. Logging is rate limited so a flood of garbage cannot flood the log.
 */
export class BusDrops {
  private readonly logger = new Logger('SwitchyardBus');
  private readonly counts = new Map<string, { pattern: string; reason: DropReason; n: number }>();
  private readonly window: WindowedLog;

  constructor(now: () => number = Date.now) {
    this.window = new WindowedLog(LOG_WINDOW_MS, now);
  }

  record(pattern: string, reason: DropReason, detail: string): void {
    const key = `${pattern}\n${reason}`;
    const entry = this.counts.get(key);
    if (entry === undefined) this.counts.set(key, { pattern, reason, n: 1 });
    else entry.n++;
    const admitted = this.window.admit();
    if (admitted === null) return;
    const more =
      admitted.heldBack > 0 ? ` (${admitted.heldBack} more dropped since the last warning)` : '';
    this.logger.warn(`dropped a ${pattern} message (${reason}): ${detail}${more}`);
  }

  /** Drops so far, one entry per pattern and reason seen. */
  entries(): { pattern: string; reason: DropReason; count: number }[] {
    return [...this.counts.values()].map(({ pattern, reason, n }) => ({
      pattern,
      reason,
      count: n,
    }));
  }

  /** Sets a counter labelled like BUS_DROPS_METRIC to the drops so far (call from its collect()). */
  copyTo(counter: DropCounterSink): void {
    counter.reset();
    for (const { pattern, reason, n } of this.counts.values()) counter.inc({ pattern, reason }, n);
  }

  total(): number {
    let sum = 0;
    for (const { n } of this.counts.values()) sum += n;
    return sum;
  }
}
