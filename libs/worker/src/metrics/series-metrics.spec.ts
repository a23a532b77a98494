import { Counter, Histogram, Registry } from 'prom-client';
import { SeriesCounter } from './series-counter';
import { SeriesHistogram } from './series-histogram';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const VALUES = [0, 0.005, 0.0051, 0.3, 1, 7.25, 3600, 3600.5, 1e9, 0.1 + 0.2];
/** Label values that need escaping in the exposition, beside plain ones. */
const TYPES = ['noop', 'we"ird\\type\nname'];

function registries(): [Registry, Registry] {
  const theirs = new Registry();
  const ours = new Registry();
  for (const r of [theirs, ours]) r.setDefaultLabels({ node: 'node-1' });
  return [theirs, ours];
}

describe('SeriesHistogram', () => {
  const config = (registers: Registry[]) => ({
    name: 'switchyard_handler_duration_seconds',
    help: 'Handler run time, by type and outcome.',
    labelNames: ['type', 'outcome'] as const,
    buckets: BUCKETS,
    registers,
  });

  it("exposes the same text and JSON as prom-client's Histogram for the same observations", async () => {
    const [theirs, ours] = registries();
    const reference = new Histogram({ ...config([theirs]), labelNames: ['type', 'outcome'] });
    const histogram = new SeriesHistogram(config([ours]));
    for (const type of TYPES) {
      for (const outcome of ['ok', 'error']) {
        for (const v of VALUES) {
          reference.observe({ type, outcome }, v);
          histogram.labels({ type, outcome }).observe(v);
        }
      }
    }
    const text = await ours.metrics();
    expect(text).toContain('le="+Inf"');
    expect(text).toContain(
      'switchyard_handler_duration_seconds_sum{node="node-1",type="noop",outcome="ok"}',
    );
    expect(text).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('exposes nothing before the first observation and after a reset, as prom-client does', async () => {
    const [theirs, ours] = registries();
    const reference = new Histogram({ ...config([theirs]), labelNames: ['type', 'outcome'] });
    const histogram = new SeriesHistogram(config([ours]));
    const series = histogram.labels({ type: 'noop', outcome: 'ok' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    series.observe(0.2);
    reference.observe({ type: 'noop', outcome: 'ok' }, 0.2);
    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    series.observe(4);
    reference.observe({ type: 'noop', outcome: 'ok' }, 4);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const [theirs, ours] = registries();
    const reference = new Histogram({ ...config([theirs]), labelNames: ['type', 'outcome'] });
    const series = new SeriesHistogram(config([ours])).labels({ type: 'noop', outcome: 'ok' });
    expect(() => series.observe(NaN)).toThrow(TypeError);
    expect(() => reference.observe({ type: 'noop', outcome: 'ok' }, NaN)).toThrow(TypeError);
  });
});

describe('SeriesCounter', () => {
  const config = (registers: Registry[]) => ({
    name: 'switchyard_tasks_succeeded_total',
    help: 'Tasks this node ran to success, by type.',
    labelNames: ['type'] as const,
    registers,
  });

  it("exposes the same text and JSON as prom-client's Counter for the same increments", async () => {
    const [theirs, ours] = registries();
    const reference = new Counter({ ...config([theirs]), labelNames: ['type'] });
    const counter = new SeriesCounter(config([ours]));
    expect(await ours.metrics()).toBe(await theirs.metrics());
    for (let i = 0; i < 5; i++) {
      for (const type of TYPES.slice(0, i % 2 === 0 ? 1 : 2)) {
        reference.inc({ type });
        counter.labels({ type }).inc();
      }
    }
    const text = await ours.metrics();
    expect(text).toContain('switchyard_tasks_succeeded_total{type="noop",node="node-1"} 5');
    expect(text).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
