import type { TaskSpec } from '../task/task.model';

export const MISSED_TICK_POLICIES = ['skip', 'run-once'] as const;
/** What a schedule does about ticks that fell due while no dispatcher could fire them. */
export type MissedTickPolicy = (typeof MISSED_TICK_POLICIES)[number];

/** The task each tick creates: a submit without the per-task timing fields. */
export type TaskTemplate = Omit<TaskSpec, 'idempotencyKey' | 'runAt' | 'dependsOn'>;

/** A recurring schedule as stored: exactly one of `cron` or `everyMs`. */
export interface ScheduleDefinition {
  id: string;
  name?: string;
  /** Cron expression (5 or 6 fields, seconds first when 6), read in `timeZone`. */
  cron?: string;
  /** IANA time zone of the cron expression (default UTC). */
  timeZone?: string;
  /** Fixed interval, counted from `createdAt`. */
  everyMs?: number;
  missedTicks: MissedTickPolicy;
  task: TaskTemplate;
  createdAt: number;
}

/** GET /schedules: the definition and where it stands. */
export interface ScheduleView extends ScheduleDefinition {
  /** The next tick that will fire (epoch ms). */
  nextAt: number;
  lastTick?: number;
  lastTaskId?: string;
  /** Ticks that created a task. */
  fired: number;
}
