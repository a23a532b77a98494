import { DiscoveryService } from '@nestjs/core';
import type { RetryPolicy } from '../task/task.model';

export interface TaskHandlerOptions {
  /** Overrides the task's timeout when it is shorter. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** CPU-heavy: run in a worker thread so heartbeats keep flowing. */
  isolated?: boolean;
}

export interface TaskContext {
  taskId: string;
  /** Attempt number (1 = first). */
  attempt: number;
  /** Aborted on timeout, cancellation or drain. */
  signal: AbortSignal;
  progress(percent: number, data?: unknown): void;
  logger: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

export type TaskHandlerFn<P = unknown, R = unknown> = (payload: P, ctx: TaskContext) => R | Promise<R>;

const TaskHandlerMeta = DiscoveryService.createDecorator<TaskHandlerOptions & { type: string }>();

/** Marks a provider method as the handler of task `type`; the worker finds it at start. */
export function TaskHandler(type: string, options: TaskHandlerOptions = {}): MethodDecorator {
  return TaskHandlerMeta({ type, ...options });
}
TaskHandler.META = TaskHandlerMeta;

/** Throw (or reject with) this to fail a task at once, without retries. */
export class NonRetryableError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'NonRetryableError';
  }
}
