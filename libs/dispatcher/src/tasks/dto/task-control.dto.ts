import { ApiProperty } from '@nestjs/swagger';
import { TASK_STATES } from '@switchyard/core';
import { TaskViewDto } from './task-view.dto';

/** POST /tasks/:id/cancel and /retry. */
export class ControlOutcomeDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: TASK_STATES, description: 'state after the action' }) state: string;
  @ApiProperty({ enum: TASK_STATES, description: 'state before the action' }) previous: string;
}

/** GET /tasks: one page of tasks in one state. */
export class TaskPageDto {
  @ApiProperty({ type: () => [TaskViewDto] }) tasks: TaskViewDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
