import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  Patterns,
  type LeaderReleasedMessage,
  type TasksFinishedMessage,
  type TasksSubmittedMessage,
} from '@switchyard/core';
import { LeaderLease } from '../leadership/leader-lease';
import { ClusterState } from '../scheduling/cluster-state';
import { LoopWaker } from '../scheduling/loop-waker';
import { StandbyPlanner } from '../scheduling/standby-planner';

/**
 * What the dispatcher hears on the bus. Each message only prompts a read of Redis. The
 * transport (SwitchyardRedisServer) has checked each message against its contract already.
 */
@Controller()
export class BusEventsController {
  constructor(
    private readonly waker: LoopWaker,
    private readonly cluster: ClusterState,
    private readonly lease: LeaderLease,
    private readonly standby: StandbyPlanner,
  ) {}

  @EventPattern(Patterns.TasksSubmitted)
  onSubmitted(@Payload() data: TasksSubmittedMessage): void {
    this.waker.submitted(data.head);
  }

  @EventPattern(Patterns.TasksFinished)
  onFinished(@Payload() data: TasksFinishedMessage): void {
    this.cluster.freed(data.node, data.freed);
    this.standby.finished(data.node, data.ended);
    const sb = data.standby;
    if (sb !== undefined) {
      // the same finish leased standby hints to the node: that much of `freed` is in use again
      this.cluster.reserved(data.node, sb);
      this.standby.used(sb.took);
      this.standby.used(sb.dropped);
    }
    this.waker.finished(data);
  }

  @EventPattern(Patterns.NodesChanged)
  onNodesChanged(): void {
    this.cluster.markStale();
    this.waker.now();
  }

  /** The leader let go on shutdown: try to take the lease now rather than on the next renewal. */
  @EventPattern(Patterns.LeaderReleased)
  onLeaderReleased(@Payload() data: LeaderReleasedMessage): void {
    this.lease.released(data.epoch);
  }
}
