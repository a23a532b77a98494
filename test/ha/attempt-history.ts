import type { TaskView } from '@switchyard/core';

/**
 * What the task histories say about double assignment. Each assignment commits one history
 * entry with the next lease number, so for every task: lease numbers are unique and
 * consecutive, every attempt but the last ended before the next began (no task held two
 * live assignments), each attempt names its node and incarnation, and at most one attempt
 * succeeded — the last one, matching the task's own lease. Returns one line per violation.
 */
export function attemptHistoryViolations(views: readonly TaskView[]): string[] {
  const problems: string[] = [];
  for (const view of views) {
    const h = view.history;
    const say = (what: string): void => {
      problems.push(`${view.id} (${view.state}): ${what} — ${JSON.stringify(h)}`);
    };
    if (h.length === 0 && view.state !== 'queued') say('no attempt recorded');
    if (new Set(h.map((a) => a.lease)).size !== h.length) say('a lease number appears twice');
    h.forEach((a, i) => {
      if (i > 0 && a.lease !== h[i - 1].lease + 1)
        say(`lease ${a.lease} does not follow ${h[i - 1].lease}`);
      if (!a.node || !Number.isInteger(a.incarnation))
        say(`attempt ${a.lease} names no node/incarnation`);
      if (i < h.length - 1 && a.outcome === undefined)
        say(`attempt ${a.lease} never ended but another began`);
    });
    const wins = h.filter((a) => a.outcome === 'succeeded');
    if (wins.length > 1) say('two attempts succeeded');
    if (view.state === 'succeeded') {
      const last = h[h.length - 1];
      if (wins.length !== 1 || last?.outcome !== 'succeeded')
        say('succeeded, but not by its last attempt');
      if (
        view.lease !== undefined &&
        (view.lease.seq !== last?.lease || view.lease.node !== last?.node)
      ) {
        say(`its lease ${JSON.stringify(view.lease)} is not its last attempt's`);
      }
    }
  }
  return problems;
}
