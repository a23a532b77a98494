import { Logger } from '@nestjs/common';
import type { Observable } from 'rxjs';
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

/** The part of a Nest ClientProxy the publisher uses. */
export interface BusClient {
  emit(pattern: string, data: unknown): Observable<unknown>;
  close(): unknown;
}

/**
 * Typed announcements on the bus. Fire and forget: a lost message only delays a consumer
 * until its next read of Redis, so a publish failure is logged, never thrown.
 */
export class BusPublisher {
  private readonly logger = new Logger(BusPublisher.name);

  constructor(private readonly client: BusClient) {}

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
    this.emit(Patterns.NodeAssigned, msg);
  }

  nodeCancel(msg: NodeCancelMessage): void {
    this.emit(Patterns.NodeCancel, msg);
  }

  nodeDrain(msg: NodeDrainMessage): void {
    this.emit(Patterns.NodeDrain, msg);
  }

  leaderReleased(msg: LeaderReleasedMessage): void {
    this.emit(Patterns.LeaderReleased, msg);
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
