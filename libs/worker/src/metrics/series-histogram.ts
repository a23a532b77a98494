import { format } from 'node:util';
import type { Registry } from 'prom-client';

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

export interface SeriesHistogramConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets: readonly number[];
  registers: Registry[];
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
export class SeriesHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly L[];
  private readonly bounds: readonly number[];
  /** Keyed by the label values joined; insertion order is exposition order, as prom-client's. */
  private readonly series = new Map<string, HistogramSeries>();

  constructor(config: SeriesHistogramConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    for (const r of config.registers) r.registerMetric(this as never);
  }

  /**
   * The series of one label set, made on first use (an unobserved label set is not exported,
   * as with prom-client). Callers cache the result: this builds a key string.
   */
  labels(labels: Readonly<Record<L, string>>): HistogramSeries {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      s = new HistogramSeries({ ...labels }, this.bounds);
      this.series.set(key, s);
    }
    return s;
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
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
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
