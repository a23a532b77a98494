import { Logger } from '@nestjs/common';
import { defaultIfEmpty, firstValueFrom, timeout, type Observable } from 'rxjs';
import type {
  LeaderReleasedMessage,
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
