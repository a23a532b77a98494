import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageGuards, Patterns } from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { AssignmentLoop } from '../scheduling/assignment-loop';
import { ClusterState } from '../scheduling/cluster-state';

/** What the dispatcher hears on the bus. Each message only prompts a read of Redis. */
@Controller()
export class BusEventsController {
  private readonly logger = new Logger(BusEventsController.name);
  dropped = 0;

  constructor(
    private readonly loop: AssignmentLoop,
    private readonly cluster: ClusterState,
    private readonly lease: LeaderLease,
  ) {}

  @EventPattern(Patterns.TasksSubmitted)
  onSubmitted(@Payload() data: unknown): void {
    if (!this.accept(Patterns.TasksSubmitted, data)) return;
    this.loop.wake();
  }

  @EventPattern(Patterns.TasksFinished)
  onFinished(@Payload() data: unknown): void {
    if (!MessageGuards[Patterns.TasksFinished](data)) return this.drop(Patterns.TasksFinished);
    this.cluster.freed(data.node, data.freed);
    this.loop.wake();
  }

  @EventPattern(Patterns.NodesChanged)
  onNodesChanged(@Payload() data: unknown): void {
    if (!this.accept(Patterns.NodesChanged, data)) return;
    this.cluster.markStale();
    this.loop.wake();
  }

  /** The leader let go on shutdown: try to take the lease now rather than on the next renewal. */
  @EventPattern(Patterns.LeaderReleased)
  onLeaderReleased(@Payload() data: unknown): void {
    if (!MessageGuards[Patterns.LeaderReleased](data)) return this.drop(Patterns.LeaderReleased);
    this.lease.released(data.epoch);
  }

  private accept(pattern: keyof typeof MessageGuards, data: unknown): boolean {
    if (MessageGuards[pattern](data)) return true;
    this.drop(pattern);
    return false;
  }

  private drop(pattern: string): void {
    this.dropped++;
    this.logger.warn(`dropped a malformed ${pattern} message`);
  }
}
