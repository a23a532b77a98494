import { CronExpressionParser } from 'cron-parser';
import type { ScheduleDefinition } from './schedule.model';

type Timing = Pick<ScheduleDefinition, 'cron' | 'timeZone' | 'everyMs' | 'createdAt'>;

/** The first tick strictly after `after` (epoch ms). */
export function nextTickAfter(s: Timing, after: number): number {
  if (s.everyMs !== undefined) {
    const k = Math.floor((after - s.createdAt) / s.everyMs) + 1;
    return s.createdAt + Math.max(1, k) * s.everyMs;
  }
  const expr = CronExpressionParser.parse(s.cron as string, {
    currentDate: new Date(after),
    tz: s.timeZone ?? 'UTC',
  });
  return expr.next().getTime();
}

/** The last tick at or before `at`, or null when the schedule had none yet. */
export function latestTickAtOrBefore(s: Timing, at: number): number | null {
  if (s.everyMs !== undefined) {
    const k = Math.floor((at - s.createdAt) / s.everyMs);
    return k >= 1 ? s.createdAt + k * s.everyMs : null;
  }
  // prev() is strictly before its start: start just past `at` so a tick exactly at `at` counts
  const expr = CronExpressionParser.parse(s.cron as string, {
    currentDate: new Date(at + 1),
    tz: s.timeZone ?? 'UTC',
  });
  const tick = expr.prev().getTime();
  return tick > at ? null : tick;
}

/** Throws with a readable message when the cron expression or time zone is not valid. */
export function checkCron(cron: string, timeZone = 'UTC'): void {
  new Intl.DateTimeFormat('en', { timeZone }); // RangeError for an unknown zone
  CronExpressionParser.parse(cron, { tz: timeZone, strict: false }).next();
}

export interface Firing {
  /** The tick to fire now, or null to fire nothing. */
  fire: number | null;
  /** The tick to wait for next. */
  next: number;
  /** Ticks passed over without a task (missed while no dispatcher could fire them). */
  missed: boolean;
}

/**
 * What to do about a schedule whose stored next tick `due` has come (due ≤ now). A tick at
 * most `graceMs` late fires as usual. Ticks later than that were missed: under `skip` they
 * create nothing; under `run-once` the latest of them creates one task. Either way the
 * schedule then waits for its first tick after now.
 */
export function planFiring(
  s: ScheduleDefinition,
  due: number,
  now: number,
  graceMs: number,
): Firing {
  if (now - due <= graceMs) return { fire: due, next: nextTickAfter(s, due), missed: false };
  const latest = latestTickAtOrBefore(s, now) ?? due;
  if (now - latest <= graceMs)
    return { fire: latest, next: nextTickAfter(s, latest), missed: true };
  return {
    fire: s.missedTicks === 'run-once' ? latest : null,
    next: nextTickAfter(s, now),
    missed: true,
  };
}
