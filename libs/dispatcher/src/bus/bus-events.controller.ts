import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Patterns, type LeaderReleasedMessage, type TasksFinishedMessage } from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { AssignmentLoop } from '../scheduling/assignment-loop';
import { ClusterState } from '../scheduling/cluster-state';

/**
 * What the dispatcher hears on the bus. Each message only prompts a read of Redis. The
 * transport (SwitchyardRedisServer) has checked each message against its contract already.
 */
@Controller()
export class BusEventsController {
  constructor(
    private readonly loop: AssignmentLoop,
    private readonly cluster: ClusterState,
    private readonly lease: LeaderLease,
  ) {}

  @EventPattern(Patterns.TasksSubmitted)
  onSubmitted(): void {
    this.loop.wake();
  }

  @EventPattern(Patterns.TasksFinished)
  onFinished(@Payload() data: TasksFinishedMessage): void {
    this.cluster.freed(data.node, data.freed);
    this.loop.wake();
  }

  @EventPattern(Patterns.NodesChanged)
  onNodesChanged(): void {
    this.cluster.markStale();
    this.loop.wake();
  }

  /** The leader let go on shutdown: try to take the lease now rather than on the next renewal. */
  @EventPattern(Patterns.LeaderReleased)
  onLeaderReleased(@Payload() data: LeaderReleasedMessage): void {
    this.lease.released(data.epoch);
  }
}
