import type { Registry } from 'prom-client';

export interface SeriesMetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

/**
 * What SeriesCounter and SeriesHistogram share: registration with prom-client's Registry and a
 * series per label set, made on first use and kept by callers (so a hot path never builds,
 * validates or hashes a label object). Insertion order is exposition order, as prom-client's.
 */
export abstract class SeriesMetric<L extends string, S> {
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  protected readonly series = new Map<string, S>();
  private readonly labelNames: readonly L[];

  constructor(config: SeriesMetricConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    for (const r of config.registers) r.registerMetric(this as never);
  }

  /** The series of one label set. Callers cache the result: this builds a key string. */
  labels(labels: Readonly<Record<L, string>>): S {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      s = this.newSeries({ ...labels });
      this.series.set(key, s);
    }
    return s;
  }

  /** The Registry's input for these values, in prom-client's shape. */
  protected exported<T extends string, V>(
    type: T,
    values: V[],
  ): Promise<{ name: string; help: string; type: T; values: V[]; aggregator: 'sum' }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type,
      values,
      aggregator: this.aggregator,
    });
  }

  protected abstract newSeries(labels: Readonly<Record<string, string>>): S;
}
