import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LISTABLE_STATES, TASK_TYPE_PATTERN, type ListableState } from '@switchyard/core';

export const MAX_PAGE_SIZE = 1000;

/** GET /tasks?state=failed&limit=100&cursor=... */
export class ListTasksDto {
  @ApiProperty({ enum: LISTABLE_STATES })
  @IsIn(LISTABLE_STATES)
  state: ListableState;

  /** Required with state=queued. */
  @ApiPropertyOptional({ description: 'task type (required with state=queued)' })
  @IsOptional()
  @IsString()
  @Matches(TASK_TYPE_PATTERN, { message: 'type must be a task type name' })
  type?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
