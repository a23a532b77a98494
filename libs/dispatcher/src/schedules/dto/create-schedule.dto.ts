import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MISSED_TICK_POLICIES, type MissedTickPolicy } from '@switchyard/core';
import { SubmitTaskDto } from '../../tasks/dto/submit-task.dto';

import { IfPresent } from '../../tasks/dto/if-present.validator';

/** The task each tick creates: a submit without idempotency key, delay or dependencies. */
export class TaskTemplateDto extends OmitType(SubmitTaskDto, [
  'idempotencyKey',
  'delayMs',
  'runAt',
  'dependsOn',
] as const) {}

export class CreateScheduleDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 128 })
  @IfPresent()
  @IsString()
  @Length(1, 128)
  name?: string;

  /** Cron expression: 5 fields, or 6 with seconds first. Give `cron` or `everyMs`. */
  @ApiPropertyOptional({
    description: 'cron expression: 5 fields, or 6 with seconds first; give cron or everyMs',
    example: '*/5 * * * *',
  })
  @IfPresent()
  @IsString()
  @Length(1, 256)
  cron?: string;

  /** IANA time zone the cron expression is read in (default UTC). */
  @ApiPropertyOptional({
    description: 'IANA time zone of the cron expression (default UTC)',
    example: 'Europe/Paris',
  })
  @IfPresent()
  @IsString()
  @Matches(/^[A-Za-z0-9_+\-/]{1,64}$/, {
    message: 'timeZone must be an IANA time zone such as Europe/Paris (at most 64 characters)',
  })
  timeZone?: string;

  @ApiPropertyOptional({ minimum: 100, description: 'fixed interval in ms; give cron or everyMs' })
  @IfPresent()
  @IsInt()
  @Min(100)
  @Max(366 * 24 * 3600 * 1000)
  everyMs?: number;

  @ApiPropertyOptional({
    enum: MISSED_TICK_POLICIES,
    description: 'what to do about ticks missed while no dispatcher ran',
  })
  @IfPresent()
  @IsIn(MISSED_TICK_POLICIES)
  missedTicks?: MissedTickPolicy;

  @ApiProperty({ type: () => TaskTemplateDto, description: 'the task each tick creates' })
  @IsObject()
  @ValidateNested()
  @Type(() => TaskTemplateDto)
  task: TaskTemplateDto;
}
