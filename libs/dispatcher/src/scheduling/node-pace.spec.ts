import {
  NodePace,
  PACE_MAX_NODES,
  PACE_MIN_SPAN_MS,
  PACE_RESET_AFTER_MS,
  PACE_WINDOW_MS,
} from './node-pace';

/** `count` attempts every `everyMs` from `from` to before `to`. */
function feed(
  pace: NodePace,
  node: string,
  count: number,
  everyMs: number,
  from: number,
  to: number,
) {
  for (let t = from; t < to; t += everyMs) pace.ended(node, count, t);
}

describe('a node’s pace', () => {
  it('is unknown until the node is heard from', () => {
    expect(new NodePace().perSecond('a', 1000)).toBeUndefined();
  });

  it('reads a steady stream at its rate, from its first tenth of a second on', () => {
    const pace = new NodePace();
    // 5 every ms: 5,000 a second
    feed(pace, 'a', 5, 1, 0, PACE_MIN_SPAN_MS);
    expect(pace.perSecond('a', PACE_MIN_SPAN_MS)).toBeCloseTo(5000, -2);
    feed(pace, 'a', 5, 1, PACE_MIN_SPAN_MS, 5 * PACE_WINDOW_MS);
    expect(pace.perSecond('a', 5 * PACE_WINDOW_MS)).toBeCloseTo(5000, -2);
  });

  it('follows a change of pace within about a window', () => {
    const pace = new NodePace();
    feed(pace, 'a', 10, 1, 0, 3 * PACE_WINDOW_MS);
    feed(pace, 'a', 1, 1, 3 * PACE_WINDOW_MS, 6 * PACE_WINDOW_MS);
    const after = pace.perSecond('a', 6 * PACE_WINDOW_MS) ?? NaN;
    expect(after).toBeGreaterThan(1000);
    expect(after).toBeLessThan(1500);
  });

  it('fades while the node is silent, and starts afresh after a long silence', () => {
    const pace = new NodePace();
    feed(pace, 'a', 10, 1, 0, 2 * PACE_WINDOW_MS);
    const busy = pace.perSecond('a', 2 * PACE_WINDOW_MS) ?? NaN;
    const quiet = pace.perSecond('a', 3 * PACE_WINDOW_MS) ?? NaN;
    expect(quiet).toBeLessThan(busy / 2);
    const later = 2 * PACE_WINDOW_MS + PACE_RESET_AFTER_MS + 1;
    expect(pace.perSecond('a', later)).toBeUndefined();
    pace.ended('a', 1, later);
    // the old stream no longer counts: one attempt over the least span
    expect(pace.perSecond('a', later)).toBeLessThan(20);
  });

  it('ignores nothing-ended and nonsense counts', () => {
    const pace = new NodePace();
    pace.ended('a', 0, 0);
    pace.ended('a', -3, 0);
    pace.ended('a', Number.NaN, 0);
    expect(pace.perSecond('a', 0)).toBeUndefined();
  });

  it('forgets silent nodes, and tracks at most PACE_MAX_NODES', () => {
    const pace = new NodePace();
    for (let i = 0; i < PACE_MAX_NODES + 5; i++) pace.ended(`n${i}`, 1, 0);
    expect(pace.size).toBe(PACE_MAX_NODES);
    expect(pace.perSecond(`n${PACE_MAX_NODES}`, 0)).toBeUndefined();
    pace.ended('n0', 1, PACE_RESET_AFTER_MS);
    pace.prune(PACE_RESET_AFTER_MS + 1);
    expect(pace.size).toBe(1);
    expect(pace.perSecond('n0', PACE_RESET_AFTER_MS + 1)).toBeDefined();
  });
});
