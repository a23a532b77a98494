import { Logger } from '@nestjs/common';
import { defaultIfEmpty, firstValueFrom, timeout, type Observable } from 'rxjs';
import type {
  LeaderReleasedMessage,
  NodeAssignedMessage,
  NodeCancelMessage,
  NodeDrainMessage,
  NodesChangedMessage,
  TasksFinishedMessage,
  TasksSubmittedMessage,
} from './messages';
import { Patterns } from './patterns';
import { splitAssignment } from './assignment-split';
import { DEFAULT_MAX_BUS_MESSAGE_BYTES } from './bus-message-check';

/** The part of a Nest ClientProxy the publisher uses. */
export interface BusClient {
  emit(pattern: string, data: unknown): Observable<unknown>;
  /** Several events in one round trip (SwitchyardRedisClient); without it, one emit each. */
  emitBatch?(packets: readonly { pattern: string; data: unknown }[]): Promise<void>;
  close(): unknown;
}

/**
 * Typed announcements on the bus. Fire and forget: a lost message only delays a consumer
 * until its next read of Redis, so a publish failure is logged, never thrown.
 */
export class BusPublisher {
  private readonly logger = new Logger(BusPublisher.name);

  /** `maxMessageBytes`: MAX_BUS_MESSAGE_BYTES (assignment announcements are split to fit). */
  constructor(
    private readonly client: BusClient,
    private readonly maxMessageBytes = DEFAULT_MAX_BUS_MESSAGE_BYTES,
  ) {}

  tasksSubmitted(msg: TasksSubmittedMessage): void {
    this.emit(Patterns.TasksSubmitted, msg);
  }

  tasksFinished(msg: TasksFinishedMessage): void {
    this.emit(Patterns.TasksFinished, msg);
  }

  nodesChanged(msg: NodesChangedMessage): void {
    this.emit(Patterns.NodesChanged, msg);
  }

  nodeAssigned(msg: NodeAssignedMessage): void {
    this.nodesAssigned([msg]);
  }

  /** One scheduling pass's announcements (one per node), published together in one round trip. */
  nodesAssigned(msgs: readonly NodeAssignedMessage[]): void {
    const packets: { pattern: string; data: object }[] = [];
    for (const msg of msgs) {
      const { parts, omitted } = splitAssignment(msg, this.maxMessageBytes);
      for (const part of parts) packets.push({ pattern: Patterns.NodeAssigned, data: part });
      if (omitted.length > 0)
        this.logger.warn(
          `${omitted.length} assignment(s) to ${msg.node} exceed MAX_BUS_MESSAGE_BYTES: not announced (the worker reads them from Redis)`,
        );
    }
    if (this.client.emitBatch === undefined || packets.length === 1) {
      for (const p of packets) this.emit(p.pattern, p.data);
      return;
    }
    this.client
      .emitBatch(packets)
      .catch((err: unknown) =>
        this.logger.warn(`publish ${Patterns.NodeAssigned} failed: ${String(err)}`),
      );
  }

  nodeCancel(msg: NodeCancelMessage): void {
    this.emit(Patterns.NodeCancel, msg);
  }

  nodeDrain(msg: NodeDrainMessage): void {
    this.emit(Patterns.NodeDrain, msg);
  }

  /**
   * Resolves once Redis took the message (or after `waitMs`): it is sent during shutdown, and
   * closing the bus client first would drop it (the client connects lazily).
   */
  async leaderReleased(msg: LeaderReleasedMessage, waitMs = 1000): Promise<void> {
    try {
      await firstValueFrom(
        this.client.emit(Patterns.LeaderReleased, msg).pipe(timeout(waitMs), defaultIfEmpty(null)),
      );
    } catch (err) {
      this.logger.warn(`publish ${Patterns.LeaderReleased} failed: ${String(err)}`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private emit(pattern: string, data: object): void {
    this.client.emit(pattern, data).subscribe({
      error: (err: unknown) => this.logger.warn(`publish ${pattern} failed: ${String(err)}`),
    });
  }
}
