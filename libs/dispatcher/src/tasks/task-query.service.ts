import { Injectable } from '@nestjs/common';
import {
  InvalidInputError,
  isTaskId,
  NodeStore,
  TaskReadStore,
  type TaskPage,
  type TaskView,
} from '@switchyard/core';
import { TYPE_LIMIT_REASON, TypeLimitProbe } from '../scheduling/type-limit-probe';
import type { ListTasksDto } from './dto/list-tasks.dto';
import { describeWait, waitingReasonCode } from '../scheduling/waiting-reason';

/** Reads tasks for HTTP, adding what only a reader needs (why a ready task waits). */
@Injectable()
export class TaskQuery {
  constructor(
    private readonly tasks: TaskReadStore,
    private readonly nodes: NodeStore,
    private readonly limits: TypeLimitProbe,
  ) {}

  async get(id: string): Promise<TaskView> {
    if (!isTaskId(id))
      throw new InvalidInputError(`"${id}" is not a task id (a 26-character ULID)`);
    const task = await this.tasks.get(id);
    if (task.state === 'blocked') {
      return {
        ...task,
        waitingReason: `waiting for ${task.waitingOn ?? '?'} of ${task.dependsOn?.length ?? 0} dependencies to succeed`,
      };
    }
    if (task.state === 'delayed' && task.runAt !== undefined) {
      return { ...task, waitingReason: `delayed until ${new Date(task.runAt).toISOString()}` };
    }
    if (task.state !== 'queued') return task;
    if ((await this.limits.atLimit([task.type])).has(task.type))
      return { ...task, waitingReason: TYPE_LIMIT_REASON };
    const code = waitingReasonCode(task.type, task.requirements, await this.nodes.list());
    return { ...task, waitingReason: describeWait(task.type, code) };
  }

  /** One page of tasks in a state (GET /tasks). */
  list(dto: ListTasksDto): Promise<TaskPage> {
    return this.tasks.list({
      state: dto.state,
      limit: dto.limit ?? 100,
      ...(dto.type !== undefined && { type: dto.type }),
      ...(dto.cursor !== undefined && { cursor: dto.cursor }),
    });
  }
}
