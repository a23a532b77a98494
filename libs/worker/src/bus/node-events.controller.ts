import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  Patterns,
  type NodeAssignedMessage,
  type NodeCancelMessage,
  type NodeDrainMessage,
} from '@switchyard/core';
import { NodeSession } from '../runtime/node-session';
import { TaskRunner } from '../runtime/task-runner';

/**
 * What a worker hears on its own channels. Assignments are also recovered from Redis. The
 * transport (SwitchyardRedisServer) has checked each message against its contract already.
 */
@Controller()
export class NodeEventsController {
  constructor(
    private readonly runner: TaskRunner,
    private readonly session: NodeSession,
  ) {}

  @EventPattern(Patterns.NodeAssigned)
  onAssigned(@Payload() data: NodeAssignedMessage): void {
    if (data.node !== this.session.nodeId || data.incarnation !== this.session.incarnation) return;
    for (const task of data.tasks) this.runner.run(task);
  }

  @EventPattern(Patterns.NodeCancel)
  onCancel(@Payload() data: NodeCancelMessage): void {
    for (const t of data.tasks) this.runner.abort(t.id, 'cancelled', t.lease);
  }

  @EventPattern(Patterns.NodeDrain)
  onDrain(@Payload() data: NodeDrainMessage): void {
    if (data.node !== this.session.nodeId) return;
    this.session.drainRequested(data.incarnation, 'POST /nodes/:id/drain');
  }
}
