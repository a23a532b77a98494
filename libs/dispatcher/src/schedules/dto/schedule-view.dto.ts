import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MISSED_TICK_POLICIES } from '@switchyard/core';
import { TaskTemplateDto } from './create-schedule.dto';

/** A schedule and where it stands. Times are epoch ms. */
export class ScheduleViewDto {
  @ApiProperty() id: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() cron?: string;
  @ApiPropertyOptional() timeZone?: string;
  @ApiPropertyOptional() everyMs?: number;
  @ApiProperty({ enum: MISSED_TICK_POLICIES }) missedTicks: string;
  @ApiProperty({ type: () => TaskTemplateDto }) task: TaskTemplateDto;
  @ApiProperty() createdAt: number;
  @ApiProperty({ description: 'the next tick that will fire' }) nextAt: number;
  @ApiPropertyOptional() lastTick?: number;
  @ApiPropertyOptional() lastTaskId?: string;
  @ApiProperty({ description: 'ticks that created a task' }) fired: number;
}

export class ScheduleListDto {
  @ApiProperty({ type: () => [ScheduleViewDto] }) schedules: ScheduleViewDto[];
}
