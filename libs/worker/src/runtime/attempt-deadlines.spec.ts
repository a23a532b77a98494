import { AttemptDeadlines } from './attempt-deadlines';

interface Attempt {
  id: string;
  deadline: number;
  over: boolean;
}

describe('attempt deadlines', () => {
  let running: Map<string, Attempt>;
  let expired: string[];
  let deadlines: AttemptDeadlines<Attempt>;

  const start = (id: string, timeoutMs: number): Attempt => {
    const attempt = { id, deadline: Date.now() + timeoutMs, over: false };
    running.set(id, attempt);
    deadlines.watch(attempt.deadline);
    return attempt;
  };
  // the fake timers move Date.now() along with the timers
  const advance = (ms: number): void => void jest.advanceTimersByTime(ms);

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    running = new Map();
    expired = [];
    deadlines = new AttemptDeadlines<Attempt>(
      () => running.values(),
      (a) => {
        a.over = true;
        expired.push(a.id);
      },
      (a) => a.over,
      () => Date.now(),
    );
  });

  afterEach(() => {
    deadlines.stop();
    jest.useRealTimers();
  });

  it('expires each attempt that outlives its timeout, and only those', () => {
    start('a', 100);
    start('b', 300);
    start('c', 200);
    running.delete('c'); // ended in time
    advance(99);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toEqual(['a']);
    advance(199);
    expect(expired).toEqual(['a']);
    advance(1);
    expect(expired).toEqual(['a', 'b']);
  });

  it('moves the timer forward when a shorter timeout starts after a longer one', () => {
    start('long', 10_000);
    start('short', 50);
    advance(50);
    expect(expired).toEqual(['short']);
    advance(9_950);
    expect(expired).toEqual(['short', 'long']);
  });

  it('expires an attempt once, and leaves no timer once nothing runs', () => {
    start('a', 10);
    advance(10);
    advance(1_000);
    expect(expired).toEqual(['a']);
    running.clear();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits out a timeout longer than a timer can hold', () => {
    const thirtyDays = 30 * 24 * 3600 * 1000;
    start('a', thirtyDays);
    advance(thirtyDays - 1);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toEqual(['a']);
  });
});
