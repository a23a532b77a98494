import { median } from './stats';

export type Better = 'higher' | 'lower';

/** One figure of one case: every run's value for each system. */
export interface Row {
  case: string;
  metric: string;
  better: Better;
  switchyard: number[];
  /** null where BullMQ has no counterpart (the ratio is then left out). */
  bullmq: number[] | null;
  note?: string;
}

export interface RowSummary extends Row {
  switchyardMedian: number;
  bullmqMedian: number | null;
  /** Switchyard median / BullMQ median. */
  ratio: number | null;
}

/** Collects the rows of every case as runs come in. */
export class Results {
  private readonly rows = new Map<string, Row>();

  add(
    caseName: string,
    metric: string,
    system: 'switchyard' | 'bullmq',
    value: number,
    opts: { better?: Better; solo?: boolean; note?: string } = {},
  ): void {
    const key = `${caseName}\u0000${metric}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = {
        case: caseName,
        metric,
        better: opts.better ?? 'lower',
        switchyard: [],
        bullmq: opts.solo ? null : [],
        ...(opts.note !== undefined && { note: opts.note }),
      };
      this.rows.set(key, row);
    }
    if (system === 'bullmq') (row.bullmq ??= []).push(value);
    else row.switchyard.push(value);
  }

  addAll(caseName: string, system: 'switchyard' | 'bullmq', figures: Record<string, number>): void {
    for (const [metric, value] of Object.entries(figures))
      this.add(caseName, metric, system, value);
  }

  summary(): RowSummary[] {
    return [...this.rows.values()].map((row) => {
      const sy = median(row.switchyard);
      const bq = row.bullmq === null || row.bullmq.length === 0 ? null : median(row.bullmq);
      return {
        ...row,
        switchyardMedian: sy,
        bullmqMedian: bq,
        ratio: bq === null || bq === 0 ? null : sy / bq,
      };
    });
  }
}

function fmt(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The table of medians with the ratio Switchyard / BullMQ, as markdown (also printed). */
export function markdownTable(rows: readonly RowSummary[]): string {
  const lines = [
    '| case | metric | Switchyard | BullMQ | ratio SY/BQ | better |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const ratio = r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`;
    lines.push(
      `| ${r.case} | ${r.metric}${r.note ? ` (${r.note})` : ''} | ${fmt(r.switchyardMedian)} | ${fmt(r.bullmqMedian)} | ${ratio} | ${r.better} |`,
    );
  }
  return lines.join('\n');
}
