/** Human output: aligned tables and short times. --json output bypasses all of this. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  '))
    .join('\n');
}

export function clock(ms: number | undefined): string {
  return ms === undefined || ms === 0 ? '-' : new Date(ms).toISOString().slice(11, 23);
}

export function ago(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined || ms === 0) return '-';
  const s = Math.max(0, (now - ms) / 1000);
  return s < 1 ? 'now' : s < 120 ? `${Math.round(s)}s ago` : `${Math.round(s / 60)}m ago`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
