import type { Registry } from 'prom-client';

/** One label set's count. */
export class CounterSeries {
  value = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(): void {
    this.value++;
  }
}

export interface SeriesCounterConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

/**
 * A Prometheus counter for hot paths, for the reason SeriesHistogram gives: callers look a
 * label set's series up once and keep it, so an increment is one addition. Exposed to the
 * Registry in prom-client Counter's `get()` shape (same text; a spec compares the two).
 */
export class SeriesCounter<L extends string> {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly L[];
  /** Insertion order is exposition order; callers look a series up right before its first inc. */
  private readonly series = new Map<string, CounterSeries>();

  constructor(config: SeriesCounterConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    for (const r of config.registers) r.registerMetric(this as never);
  }

  /** The series of one label set. Callers cache the result: this builds a key string. */
  labels(labels: Readonly<Record<L, string>>): CounterSeries {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      s = new CounterSeries({ ...labels });
      this.series.set(key, s);
    }
    return s;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: 'counter';
    values: { value: number; labels: Readonly<Record<string, string>> }[];
    aggregator: 'sum';
  }> {
    const values = [];
    for (const s of this.series.values()) {
      if (s.value > 0) values.push({ value: s.value, labels: s.labels });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  reset(): void {
    for (const s of this.series.values()) s.value = 0;
  }
}
