import type { RowSummary } from './results';

export interface TargetCheck {
  target: string;
  met: boolean;
  measured: string;
}

function find(
  rows: readonly RowSummary[],
  casePrefix: string,
  metric: string,
): RowSummary | undefined {
  return rows.find((r) => r.case.startsWith(casePrefix) && r.metric.startsWith(metric));
}

/** The targets, checked against the medians of this run. */
export function checkTargets(rows: readonly RowSummary[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ratio = (c: string, m: string, min: number, label: string): void => {
    const r = find(rows, c, m);
    if (r?.ratio == null) return;
    checks.push({ target: label, met: r.ratio >= min, measured: `${r.ratio.toFixed(2)}×` });
  };
  ratio('1 ', 'tasks / s', 2, 'case 1: ≥ 2× BullMQ throughput');
  ratio('2 no-op', 'tasks / s', 1.5, 'case 2 batch: ≥ 1.5× BullMQ');
  const p50 = find(rows, '3 ', 'p50 ms');
  if (p50)
    checks.push({
      target: 'case 3: p50 < 1 ms',
      met: p50.switchyardMedian < 1,
      measured: `${p50.switchyardMedian.toFixed(2)} ms`,
    });
  const p99 = find(rows, '3 ', 'p99 ms');
  if (p99?.ratio != null) {
    checks.push({
      target: 'case 3: p99 ≤ BullMQ p99',
      met: p99.ratio <= 1,
      measured: `${p99.switchyardMedian.toFixed(2)} ms vs ${p99.bullmqMedian?.toFixed(2)} ms`,
    });
  }
  const share = find(rows, '4 ', 'share of ideal rate');
  if (share)
    checks.push({
      target: 'case 4: ≥ 85% of ideal',
      met: share.switchyardMedian >= 0.85,
      measured: `${(share.switchyardMedian * 100).toFixed(1)}%`,
    });
  const decisions = rows.filter(
    (r) => r.case.startsWith('6 ') && r.metric.startsWith('decisions / s'),
  );
  if (decisions.length > 0) {
    const rates = decisions.map((r) => r.switchyardMedian);
    const min = Math.min(...rates);
    const max = Math.max(...rates);
    checks.push({
      target: 'case 6: ≥ 50,000 decisions/s at every node count',
      met: min >= 50_000,
      measured: `${Math.round(min)} .. ${Math.round(max)} /s`,
    });
    checks.push({
      target: 'case 6: flat within 20% from 10 to 1,000 nodes',
      met: min >= 0.8 * max,
      measured: `min/max ${(min / max).toFixed(2)}`,
    });
  }
  const bytes = find(rows, '7 ', 'Redis bytes / queued task');
  if (bytes)
    checks.push({
      target: 'case 7: ≤ 600 bytes per queued task',
      met: bytes.switchyardMedian <= 600,
      measured: `${bytes.switchyardMedian.toFixed(0)} B`,
    });
  const cmds = find(rows, '1 ', 'Redis commands / task');
  if (cmds)
    checks.push({
      target: 'cost: ≤ 10 Redis commands per no-op task (case 1)',
      met: cmds.switchyardMedian <= 10,
      measured: cmds.switchyardMedian.toFixed(2),
    });
  const cpu = find(rows, '1 ', 'Redis CPU µs / task');
  if (cpu)
    checks.push({
      target: 'cost: ≤ 25 µs Redis CPU per no-op task (case 1)',
      met: cpu.switchyardMedian <= 25,
      measured: `${cpu.switchyardMedian.toFixed(1)} µs`,
    });
  return checks;
}
