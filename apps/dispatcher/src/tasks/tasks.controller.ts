import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { TaskPage, TaskView } from '@switchyard/core';
import { ListTasksDto } from './dto/list-tasks.dto';
import { SubmitBatchDto, SubmitTaskDto } from './dto/submit-task.dto';
import { TaskControl, type ControlOutcome } from './task-control.service';
import { TaskQuery } from './task-query.service';
import { TaskSubmission } from './task-submission.service';

@Controller('tasks')
export class TasksController {
  constructor(
    private readonly submission: TaskSubmission,
    private readonly query: TaskQuery,
    private readonly control: TaskControl,
  ) {}

  /** 201 with the new task; 200 with the earlier one when the idempotency key was seen. */
  @Post()
  async submit(@Body() dto: SubmitTaskDto, @Res({ passthrough: true }) res: Response): Promise<TaskView | object> {
    const [outcome] = await this.submission.submit([dto]);
    if (!outcome.created) {
      res.status(HttpStatus.OK);
      return this.query.get(outcome.id);
    }
    return { id: outcome.id, state: outcome.state, type: dto.type, created: true };
  }

  @Post('batch')
  @HttpCode(HttpStatus.CREATED)
  async submitBatch(@Body() dto: SubmitBatchDto): Promise<{ tasks: object[] }> {
    const outcomes = await this.submission.submit(dto.tasks);
    return { tasks: outcomes.map((o) => ({ id: o.id, state: o.state, created: o.created })) };
  }

  /** A page of tasks in one state; pass `nextCursor` back as `cursor` for the next page. */
  @Get()
  list(@Query() dto: ListTasksDto): Promise<TaskPage> {
    return this.query.list(dto);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(@Param('id') id: string): Promise<ControlOutcome> {
    return this.control.cancel(id);
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  retry(@Param('id') id: string): Promise<ControlOutcome> {
    return this.control.retry(id);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<TaskView> {
    return this.query.get(id);
  }
}
