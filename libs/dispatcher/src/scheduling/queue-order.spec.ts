import { queueScore, type QueueHead } from '@switchyard/core';
import { inQueueOrder } from './assignment-planner';

const AGING = 1000;

function head(id: string, queuedAt: number, priority: number): QueueHead {
  return {
    type: 'echo',
    id,
    header: {
      s: 'queued',
      ty: 'echo',
      pr: priority,
      ma: 1,
      to: 1000,
      a: 0,
      l: 0,
      c: queuedAt,
      u: queuedAt,
      qa: queuedAt,
      sl: 1,
    },
  };
}

describe('queue order with aging', () => {
  it.each([
    ['higher priority first', [head('a', 0, 0), head('b', 0, 5)], 'ba'],
    ['FIFO within equal priority', [head('b', 20, 1), head('a', 10, 1), head('c', 30, 1)], 'abc'],
    ['id order for equal times and priorities', [head('b', 0, 0), head('a', 0, 0)], 'ab'],
    [
      'an older low-priority task before a much newer high-priority one',
      [head('new', 5001, 5), head('old', 0, 0)],
      'old,new',
    ],
    [
      'a newer high-priority task before an older low one within its aging credit',
      [head('old', 0, 0), head('new', 4999, 5)],
      'new,old',
    ],
    ['negative priorities after zero', [head('low', 0, -2), head('zero', 0, 0)], 'zero,low'],
  ])('puts %s', (_what, heads, expected) => {
    const ids = inQueueOrder(heads, AGING).map((h) => h.id);
    expect(expected.includes(',') ? ids.join(',') : ids.join('')).toBe(expected);
  });

  it('scores a task by its queue time minus priority × aging step', () => {
    expect(queueScore(10_000, 3, AGING)).toBe(7_000);
    expect(queueScore(10_000, -3, AGING)).toBe(13_000);
    expect(queueScore(10_000, 3, 0)).toBe(10_000);
  });

  /**
   * A saturated cluster serving one task per millisecond while a stream of priority-10 tasks
   * arrives. A priority-0 task is overtaken only by tasks queued less than 10 × AGING after
   * it, so it waits at most for the backlog ahead of it plus the arrivals of that window.
   * (High-priority tasks share one priority, so among themselves they stay in arrival order:
   * the head of the queue is always the oldest of them or the low one.)
   */
  it.each([
    ['a steady stream', 1],
    ['a stream twice as fast as service', 2],
  ])(
    'bounds the wait of a low-priority task under %s of high-priority ones',
    (_what, arrivalsPerMs) => {
      const backlog = 1000;
      const highs: QueueHead[] = [];
      for (let i = 0; i < backlog; i++)
        highs.push(head(`h${String(highs.length).padStart(8, '0')}`, -backlog + i, 10));
      const low = head('low', 0, 0);
      // ties (equal scores) go by id, and "h…" sorts before "low": count the arrivals at 10 × AGING too
      const bound = backlog + arrivalsPerMs * (10 * AGING + 1);
      let next = 0;
      let servedAt = -1;
      for (let t = 0; t < 100 * bound && servedAt < 0; t++) {
        for (let k = 0; k < arrivalsPerMs; k++)
          highs.push(head(`h${String(highs.length).padStart(8, '0')}`, t, 10));
        const [first] = inQueueOrder([highs[next], low], AGING);
        if (first === low) servedAt = t;
        else next++;
      }
      expect(servedAt).toBeGreaterThan(0);
      expect(servedAt).toBeLessThanOrEqual(bound);
    },
  );
});
