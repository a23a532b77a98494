import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  NotLeaderError,
  planFiring,
  ScheduleStore,
  SWITCHYARD_CONFIG,
  type SwitchyardConfig,
} from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { AssignmentLoop } from '../scheduling/assignment-loop';

/** Most schedules handled in one run; the next run takes the rest. */
const MAX_PER_RUN = 100;
/** Most ticks one schedule fires in one run while catching up (within the misfire grace). */
const MAX_TICKS_PER_SCHEDULE = 20;

/**
 * The leader fires due schedule ticks. Every dispatcher runs the timer, only the leader acts,
 * and each fire is one script that checks the lease, sets the (schedule, tick) key if absent
 * and creates the task: a tick creates one task even when two dispatchers overlap.
 */
@Injectable()
export class ScheduleRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleRunner.name);
  private running = false;
  private lastErrorLogAt = 0;

  constructor(
    private readonly store: ScheduleStore,
    private readonly lease: LeaderLease,
    private readonly loop: AssignmentLoop,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(
      'schedule-runner',
      setInterval(() => void this.run(), this.config.scheduleTickMs),
    );
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', 'schedule-runner'))
      this.scheduler.deleteInterval('schedule-runner');
  }

  /** Fires what is due now; returns how many tasks it created. */
  async run(now = Date.now()): Promise<number> {
    const leaseValue = this.lease.leaseValue;
    if (this.running || leaseValue === null) return 0;
    this.running = true;
    let created = 0;
    try {
      for (const entry of await this.store.due(now, MAX_PER_RUN)) {
        const { schedule } = entry;
        let due = entry.due;
        for (let i = 0; i < MAX_TICKS_PER_SCHEDULE && due <= now; i++) {
          const firing = planFiring(schedule, due, now, this.config.scheduleMisfireGraceMs);
          const { outcome } = await this.store.fire(
            leaseValue,
            { schedule, due, next: firing.next, tick: firing.fire },
            now,
          );
          if (outcome === 'fired') created++;
          if (firing.missed) {
            this.logger.log(
              `schedule ${schedule.id}: ticks missed before ${new Date(now).toISOString()} (${schedule.missedTicks}: ${outcome})`,
            );
          }
          if (outcome === 'full')
            this.logger.warn(
              `schedule ${schedule.id}: the queue of ${schedule.task.type} is full; tick skipped`,
            );
          if (outcome === 'moved') break;
          due = firing.next;
        }
      }
    } catch (err) {
      if (!(err instanceof NotLeaderError)) this.logFailure(err);
    } finally {
      this.running = false;
    }
    if (created > 0) this.loop.wake();
    return created;
  }

  private logFailure(err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 5000) return;
    this.lastErrorLogAt = now;
    this.logger.warn(`schedule run failed (retrying on the next tick): ${(err as Error).message}`);
  }
}
