import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { TASK_TYPE_PATTERN } from '@switchyard/core';

/** Query of GET /events: every given filter must match. */
export class EventFilterDto {
  @ApiPropertyOptional({
    description: 'only events of this task',
    example: '01J9Z6Q4X1W2E3R4T5Y6U7I8O9',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-HJKMNP-TV-Z]{26}$/, {
    message: 'taskId must be a task id (a 26-character ULID)',
  })
  taskId?: string;

  @ApiPropertyOptional({ description: 'only task events of this task type', example: 'email.send' })
  @IsOptional()
  @IsString()
  @Matches(TASK_TYPE_PATTERN, {
    message: 'type must be 1-64 characters of letters, digits, . _ : -',
  })
  type?: string;

  @ApiPropertyOptional({
    enum: ['task', 'node', 'progress'],
    description: 'only task, node or progress events',
  })
  @IsOptional()
  @IsIn(['task', 'node', 'progress'])
  kind?: 'task' | 'node' | 'progress';

  @ApiPropertyOptional({
    description:
      'resume after this event id (same as the Last-Event-ID header, for clients that cannot set headers)',
    example: '1732662000000-0.3',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,16}-\d{1,16}(\.\d{1,6})?$/, {
    message: 'after must be an event id like 1732662000000-0.3',
  })
  after?: string;
}
