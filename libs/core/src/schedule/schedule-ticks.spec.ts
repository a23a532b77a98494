import { checkCron, latestTickAtOrBefore, nextTickAfter, planFiring } from './schedule-ticks';
import type { ScheduleDefinition } from './schedule.model';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const task = {
  type: 'echo',
  payload: null,
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  maxAttempts: 1,
  timeoutMs: 1000,
};
const every = (ms: number, missedTicks: 'skip' | 'run-once' = 'skip'): ScheduleDefinition => ({
  id: 's',
  everyMs: ms,
  missedTicks,
  task,
  createdAt: T0,
});
const cron = (
  expr: string,
  timeZone?: string,
  missedTicks: 'skip' | 'run-once' = 'skip',
): ScheduleDefinition => ({
  id: 's',
  cron: expr,
  ...(timeZone !== undefined && { timeZone }),
  missedTicks,
  task,
  createdAt: T0,
});

describe('schedule ticks', () => {
  it.each([
    ['everyMs: the first tick is one interval after creation', every(1000), T0, T0 + 1000],
    ['everyMs: strictly after a tick', every(1000), T0 + 3000, T0 + 4000],
    ['everyMs: between ticks', every(1000), T0 + 3500, T0 + 4000],
    ['cron: every minute', cron('* * * * *'), T0 + 30_000, T0 + 60_000],
    [
      'cron: 09:00 in New York is 14:00 UTC in winter',
      cron('0 9 * * *', 'America/New_York'),
      T0,
      T0 + 14 * 3600_000,
    ],
    [
      'cron: 09:00 in Paris is 08:00 UTC in winter',
      cron('0 9 * * *', 'Europe/Paris'),
      T0,
      T0 + 8 * 3600_000,
    ],
    ['cron: six fields count seconds', cron('*/10 * * * * *'), T0 + 1000, T0 + 10_000],
  ])('nextTickAfter, %s', (_what, s, after, expected) => {
    expect(nextTickAfter(s, after)).toBe(expected);
  });

  it.each([
    ['everyMs: before the first tick', every(1000), T0 + 999, null],
    ['everyMs: exactly on a tick', every(1000), T0 + 5000, T0 + 5000],
    ['everyMs: between ticks', every(1000), T0 + 5999, T0 + 5000],
    ['cron: exactly on a tick', cron('* * * * *'), T0 + 120_000, T0 + 120_000],
    ['cron: between ticks', cron('* * * * *'), T0 + 150_000, T0 + 120_000],
  ])('latestTickAtOrBefore, %s', (_what, s, at, expected) => {
    expect(latestTickAtOrBefore(s, at)).toBe(expected);
  });

  it.each([
    [
      'fires a tick that is on time',
      every(1000),
      T0 + 1000,
      T0 + 1200,
      { fire: T0 + 1000, next: T0 + 2000, missed: false },
    ],
    [
      'fires a tick late within the grace',
      every(1000),
      T0 + 1000,
      T0 + 1000 + 5000,
      { fire: T0 + 1000, next: T0 + 2000, missed: false },
    ],
    [
      'skip: fires nothing for ticks missed while down',
      every(10_000),
      T0 + 10_000,
      T0 + 106_000,
      { fire: null, next: T0 + 110_000, missed: true },
    ],
    [
      'run-once: fires the latest missed tick once',
      every(10_000, 'run-once'),
      T0 + 10_000,
      T0 + 106_000,
      { fire: T0 + 100_000, next: T0 + 110_000, missed: true },
    ],
    [
      'both: a tick on time after missed ones fires',
      every(10_000),
      T0 + 10_000,
      T0 + 100_500,
      { fire: T0 + 100_000, next: T0 + 110_000, missed: true },
    ],
  ])('planFiring %s', (_what, s, due, now, expected) => {
    expect(planFiring(s, due, now, 5000)).toEqual(expected);
  });

  it.each([
    ['a malformed expression', 'every minute', 'UTC', /./],
    ['an out-of-range field', '61 * * * *', 'UTC', /./],
    ['an unknown time zone', '* * * * *', 'Mars/Olympus_Mons', /time zone/i],
  ])('rejects %s', (_what, expr, tz, message) => {
    expect(() => checkCron(expr, tz)).toThrow(message);
  });

  it('accepts a valid expression and zone', () => {
    expect(() => checkCron('0 9 * * 1-5', 'Europe/Berlin')).not.toThrow();
  });
});
