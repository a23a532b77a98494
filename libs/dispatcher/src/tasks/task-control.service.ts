import { Injectable } from '@nestjs/common';
import {
  BusPublisher,
  IllegalTransitionError,
  InvalidInputError,
  isTaskId,
  TaskControlStore,
  type ControlOutcome,
} from '@switchyard/core';
import { AssignmentLoop } from '../scheduling/assignment-loop';

// the client's cancel/retry answer the same shape over Redis as this service does over HTTP
export type { ControlOutcome };

/** Operator actions on one task: cancel and retry. Each commits one script, then announces. */
@Injectable()
export class TaskControl {
  constructor(
    private readonly tasks: TaskControlStore,
    private readonly bus: BusPublisher,
    private readonly loop: AssignmentLoop,
  ) {}

  /** Cancels a live task; a running handler is told to abort. 409 on a terminal task. */
  async cancel(id: string): Promise<ControlOutcome> {
    this.requireId(id);
    const out = await this.tasks.cancel(id);
    if (!out.ok) throw new IllegalTransitionError(id, out.state ?? 'unknown', 'cancelled');
    if (out.node !== undefined)
      this.bus.nodeCancel({ node: out.node, tasks: [{ id, lease: out.lease }] });
    // capacity came free on that node
    this.loop.wake();
    return { id, state: 'cancelled', previous: out.previous };
  }

  /** Re-queues a failed or cancelled task with a fresh attempt budget. 409 on any other state. */
  async retry(id: string): Promise<ControlOutcome> {
    this.requireId(id);
    const out = await this.tasks.retry(id);
    if (!out.ok)
      throw new IllegalTransitionError(
        id,
        out.state,
        'queued (only failed or cancelled tasks can be retried)',
      );
    this.bus.tasksSubmitted({ count: 1 });
    this.loop.wake();
    return { id, state: 'queued', previous: out.previous };
  }

  private requireId(id: string): void {
    if (!isTaskId(id))
      throw new InvalidInputError(`"${id}" is not a task id (a 26-character ULID)`);
  }
}
