import { Results, markdownTable } from './results';
import { median, percentile } from './stats';
import { checkTargets } from './targets';

describe('bench figures', () => {
  it('takes nearest-rank percentiles and medians', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(percentile(values, 99)).toBe(5);
    expect(percentile(values, 1)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises runs into medians and the Switchyard / BullMQ ratio', () => {
    const results = new Results();
    for (const v of [100, 300, 200])
      results.add('1 x', 'tasks / s', 'switchyard', v, { better: 'higher' });
    for (const v of [50, 150, 100]) results.add('1 x', 'tasks / s', 'bullmq', v);
    results.add('6 y', 'decisions / s', 'switchyard', 10, { solo: true });
    const [pair, solo] = results.summary();
    expect(pair).toMatchObject({
      switchyardMedian: 200,
      bullmqMedian: 100,
      ratio: 2,
      better: 'higher',
    });
    expect(solo).toMatchObject({ switchyardMedian: 10, bullmqMedian: null, ratio: null });
    expect(markdownTable([pair, solo])).toContain(
      '| 1 x | tasks / s | 200 | 100 | 2.00× | higher |',
    );
  });

  it('checks the issue targets against the medians', () => {
    const results = new Results();
    results.add('1 no-op', 'tasks / s', 'switchyard', 300, { better: 'higher' });
    results.add('1 no-op', 'tasks / s', 'bullmq', 100);
    results.add('7 memory', 'Redis bytes / queued task (10 queued)', 'switchyard', 650);
    results.add('7 memory', 'Redis bytes / queued task (10 queued)', 'bullmq', 900);
    const checks = checkTargets(results.summary());
    expect(checks.find((c) => c.target.startsWith('case 1'))).toMatchObject({
      met: true,
      measured: '3.00×',
    });
    expect(checks.find((c) => c.target.startsWith('case 7'))).toMatchObject({
      met: false,
      measured: '650 B',
    });
  });
});
