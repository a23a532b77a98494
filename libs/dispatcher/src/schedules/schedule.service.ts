import { Injectable } from '@nestjs/common';
import {
  checkCron,
  InvalidInputError,
  newTaskId,
  nextTickAfter,
  ScheduleStore,
  type ScheduleDefinition,
  type ScheduleView,
} from '@switchyard/core';
import { TaskSubmission } from '../tasks/task-submission.service';
import type { CreateScheduleDto } from './dto/create-schedule.dto';

/** Validates and stores recurring schedules; the leader fires them (ScheduleRunner). */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly store: ScheduleStore,
    private readonly submission: TaskSubmission,
  ) {}

  async create(dto: CreateScheduleDto, now = Date.now()): Promise<ScheduleView> {
    if ((dto.cron === undefined) === (dto.everyMs === undefined)) {
      throw new InvalidInputError('give exactly one of cron or everyMs');
    }
    if (dto.timeZone !== undefined && dto.cron === undefined) {
      throw new InvalidInputError('timeZone applies to cron schedules only');
    }
    if (dto.cron !== undefined) {
      try {
        checkCron(dto.cron, dto.timeZone ?? 'UTC');
      } catch (err) {
        throw new InvalidInputError(
          `cron "${dto.cron}" in time zone ${dto.timeZone ?? 'UTC'} is not valid: ${(err as Error).message}`,
        );
      }
    }
    // the same checks and defaults as a submitted task (strategy known, sizes within limits)
    const {
      type,
      payload,
      priority,
      requirements,
      maxAttempts,
      timeoutMs,
      strategy,
      affinityKey,
      retry,
    } = this.submission.toSpec(dto.task, now, 'task.');
    const def: ScheduleDefinition = {
      id: newTaskId(now),
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.cron !== undefined && { cron: dto.cron, timeZone: dto.timeZone ?? 'UTC' }),
      ...(dto.everyMs !== undefined && { everyMs: dto.everyMs }),
      missedTicks: dto.missedTicks ?? 'skip',
      task: {
        type,
        payload,
        priority,
        requirements,
        maxAttempts,
        timeoutMs,
        ...(strategy !== undefined && { strategy }),
        ...(affinityKey !== undefined && { affinityKey }),
        ...(retry !== undefined && { retry }),
      },
      createdAt: now,
    };
    const nextAt = nextTickAfter(def, now);
    await this.store.create(def, nextAt);
    return { ...def, nextAt, fired: 0 };
  }

  list(): Promise<ScheduleView[]> {
    return this.store.list();
  }

  delete(id: string): Promise<boolean> {
    return this.store.delete(id);
  }
}
