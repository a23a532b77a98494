import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope, type TaskPage, type TaskView } from '@switchyard/core';
import { ErrorResponseDto } from '../http/error-response.dto';
import { ListTasksDto } from './dto/list-tasks.dto';
import { SubmitBatchDto, SubmitTaskDto } from './dto/submit-task.dto';
import { ControlOutcomeDto, TaskPageDto } from './dto/task-control.dto';
import { BatchSubmittedDto, SubmittedTaskDto, TaskViewDto } from './dto/task-view.dto';
import { TaskControl, type ControlOutcome } from './task-control.service';
import { TaskQuery } from './task-query.service';
import { TaskSubmission } from './task-submission.service';

@ApiTags('tasks')
@ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unavailable' })
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly submission: TaskSubmission,
    private readonly query: TaskQuery,
    private readonly control: TaskControl,
  ) {}

  /** 201 with the new task; 200 with the earlier one when the idempotency key was seen. */
  @Post()
  @RequireScope('tasks:write')
  @ApiOperation({ summary: 'Submit a task' })
  @ApiCreatedResponse({ type: SubmittedTaskDto, description: 'the task was created' })
  @ApiOkResponse({
    type: TaskViewDto,
    description: 'the idempotency key was seen: the earlier task',
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'invalid body (unknown field, bad value, unknown strategy)',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'body over MAX_BODY_BYTES or payload over MAX_PAYLOAD_BYTES',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'the type queue is full (MAX_QUEUED_PER_TYPE)',
  })
  async submit(
    @Body() dto: SubmitTaskDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskView | object> {
    const [outcome] = await this.submission.submit([dto]);
    if (!outcome.created) {
      res.status(HttpStatus.OK);
      return this.query.get(outcome.id);
    }
    return { id: outcome.id, state: outcome.state, type: dto.type, created: true };
  }

  @Post('batch')
  @RequireScope('tasks:write')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Submit a batch of tasks (all or none)' })
  @ApiCreatedResponse({ type: BatchSubmittedDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'a task of the batch is invalid; nothing was created',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'over MAX_BATCH_SIZE, MAX_BODY_BYTES or MAX_PAYLOAD_BYTES',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'a type queue would overfill (MAX_QUEUED_PER_TYPE)',
  })
  async submitBatch(@Body() dto: SubmitBatchDto): Promise<{ tasks: object[] }> {
    const outcomes = await this.submission.submit(dto.tasks);
    return { tasks: outcomes.map((o) => ({ id: o.id, state: o.state, created: o.created })) };
  }

  /** A page of tasks in one state; pass `nextCursor` back as `cursor` for the next page. */
  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List tasks in one state, a page at a time (failed = the dead letters)',
  })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'bad state, type, cursor or limit',
  })
  list(@Query() dto: ListTasksDto): Promise<TaskPage> {
    return this.query.list(dto);
  }

  @Post(':id/cancel')
  @RequireScope('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel a waiting or running task (a running handler sees its signal abort)',
  })
  @ApiParam({ name: 'id', description: 'task id (ULID)' })
  @ApiOkResponse({ type: ControlOutcomeDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'not a task id' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'no such task' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'the task already ended' })
  cancel(@Param('id') id: string): Promise<ControlOutcome> {
    return this.control.cancel(id);
  }

  @Post(':id/retry')
  @RequireScope('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Re-queue a failed or cancelled task with a fresh attempt budget' })
  @ApiParam({ name: 'id', description: 'task id (ULID)' })
  @ApiOkResponse({ type: ControlOutcomeDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'not a task id' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'no such task' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'the task is not failed or cancelled',
  })
  retry(@Param('id') id: string): Promise<ControlOutcome> {
    return this.control.retry(id);
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({ summary: 'Get a task with its attempt history' })
  @ApiParam({ name: 'id', description: 'task id (ULID)' })
  @ApiOkResponse({ type: TaskViewDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'not a task id' })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: 'no such task (or its retention ended)',
  })
  get(@Param('id') id: string): Promise<TaskView> {
    return this.query.get(id);
  }
}
