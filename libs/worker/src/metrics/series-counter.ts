import { SeriesMetric } from './series-metric';

/** One label set's count. */
export class CounterSeries {
  value = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(): void {
    this.value++;
  }
}

/**
 * A Prometheus counter for hot paths, for the reason SeriesHistogram gives: callers look a
 * label set's series up once and keep it, so an increment is one addition. Exposed to the
 * Registry in prom-client Counter's `get()` shape (same text; a spec compares the two).
 */
export class SeriesCounter<L extends string> extends SeriesMetric<L, CounterSeries> {
  readonly type = 'counter';

  protected newSeries(labels: Readonly<Record<string, string>>): CounterSeries {
    return new CounterSeries(labels);
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
    return this.exported(this.type, values);
  }

  reset(): void {
    for (const s of this.series.values()) s.value = 0;
  }
}
