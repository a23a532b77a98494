import { format } from 'node:util';
import { SeriesMetric, type SeriesMetricConfig } from './series-metric';

/** One label set's buckets: observing is a bucket search and three additions. */
export class HistogramSeries {
  /** Per bucket (not cumulative), as prom-client keeps them. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value))
      throw new TypeError(`Value is not a valid number: ${format(value)}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

export interface SeriesHistogramConfig<L extends string> extends SeriesMetricConfig<L> {
  buckets: readonly number[];
}

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels: Readonly<Record<string, string>>;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

/**
 * A Prometheus histogram for hot paths. prom-client's Histogram validates and hashes a label
 * object on every observe (and callers build one per call): a visible share of a no-op task's
 * CPU. Here a caller looks a series up once per label set and keeps it; observing then touches
 * numbers only. The Registry reads it through the same `get`/`getForPromString` shape as
 * prom-client's Histogram, so the exposition is the same text (a spec compares the two).
 */
export class SeriesHistogram<L extends string> extends SeriesMetric<L, HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(config: SeriesHistogramConfig<L>) {
    super(config);
    this.bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** An unobserved label set is not exported, as with prom-client. */
  protected newSeries(labels: Readonly<Record<string, string>>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  /** Registry's exposition input, the shape prom-client's Histogram gives it. */
  getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: ExportedValue[];
    aggregator: 'sum';
  }> {
    const bucketName = `${this.name}_bucket`;
    const values: ExportedValue[] = [];
    for (const s of this.series.values()) {
      if (s.count === 0) continue; // reset since (callers keep their series objects)
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i];
        values.push(value({ le }, s.labels, acc, bucketName, null));
      });
      values.push(value({ le: '+Inf' }, s.labels, s.count, bucketName, null));
      values.push(value({}, s.labels, s.sum, `${this.name}_sum`, undefined));
      values.push(value({}, s.labels, s.count, `${this.name}_count`, undefined));
    }
    return this.exported(this.type, values);
  }

  /** As prom-client's `get()`: every value carries its series' labels merged in. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: Omit<ExportedValue, 'sharedLabels'>[];
    aggregator: 'sum';
  }> {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }

  /** Zeroes every series in place: callers hold them, and a zeroed one is not exported. */
  reset(): void {
    for (const s of this.series.values()) s.reset();
  }
}

function value(
  labels: Record<string, string | number>,
  sharedLabels: Readonly<Record<string, string>>,
  v: number,
  metricName: string,
  exemplar: null | undefined,
): ExportedValue {
  return { labels, sharedLabels, value: v, metricName, exemplar };
}
