import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageGuards, Patterns } from '@switchyard/core';
import { NodeSession } from '../runtime/node-session';
import { TaskRunner } from '../runtime/task-runner';

/** What a worker hears on its own channels. Assignments are also recovered from Redis. */
@Controller()
export class NodeEventsController {
  private readonly logger = new Logger(NodeEventsController.name);
  dropped = 0;

  constructor(
    private readonly runner: TaskRunner,
    private readonly session: NodeSession,
  ) {}

  @EventPattern(Patterns.NodeAssigned)
  onAssigned(@Payload() data: unknown): void {
    if (!MessageGuards[Patterns.NodeAssigned](data)) return this.drop(Patterns.NodeAssigned);
    if (data.node !== this.session.nodeId || data.incarnation !== this.session.incarnation) return;
    for (const task of data.tasks) this.runner.run(task);
  }

  @EventPattern(Patterns.NodeCancel)
  onCancel(@Payload() data: unknown): void {
    if (!MessageGuards[Patterns.NodeCancel](data)) return this.drop(Patterns.NodeCancel);
    for (const t of data.tasks) this.runner.abort(t.id, 'cancelled', t.lease);
  }

  @EventPattern(Patterns.NodeDrain)
  onDrain(@Payload() data: unknown): void {
    if (!MessageGuards[Patterns.NodeDrain](data)) return this.drop(Patterns.NodeDrain);
    if (data.node !== this.session.nodeId) return;
    this.session.drainRequested(data.incarnation, 'POST /nodes/:id/drain');
  }

  private drop(pattern: string): void {
    this.dropped++;
    this.logger.warn(`dropped a malformed ${pattern} message`);
  }
}
