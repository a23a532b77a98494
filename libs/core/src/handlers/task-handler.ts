import { DiscoveryService } from '@nestjs/core';
import type { RetryPolicy } from '../task/task.model';

/**
 * Where the thread-runnable form of a CPU-heavy handler lives: a module whose export is a pure
 * `(payload) => result` (no injected services: it runs in a worker thread). Throwing an error
 * with `retryable: false` (NonRetryableError) fails the task at once, as in-process.
 */
export interface IsolatedHandler {
  /** Absolute path of the compiled module, e.g. `require.resolve('./hash.compute')`. */
  module: string;
  /** The export to call. */
  export: string;
}

export interface TaskHandlerOptions {
  /** Overrides the task's timeout when it is shorter. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * CPU-heavy: the worker runs `isolated.export` of `isolated.module` in a worker thread
   * (piscina) instead of the decorated method, so heartbeats keep flowing while it computes.
   * The method stays the in-process form of the same function.
   */
  isolated?: IsolatedHandler;
  /**
   * A class-validator DTO class: the worker turns the payload into an instance of it
   * (class-transformer) and validates it before the handler runs. Invalid → the task fails at
   * once, non-retryable (code `invalid_payload`), with the validation messages. The handler
   * then receives the instance.
   */
  payload?: PayloadClass;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor signature is a class
export type PayloadClass = new (...args: any[]) => object;

export interface TaskContext {
  taskId: string;
  /** Attempt number (1 = first). */
  attempt: number;
  /** Aborted on timeout, cancellation or drain. */
  signal: AbortSignal;
  /**
   * Calls `listener` once with the reason when the attempt is aborted (timeout, cancellation,
   * drain), at once if it already was; the returned function takes it back. For a handler that
   * only has a timer to stop or a resource to close: unlike reading `signal`, it makes no
   * AbortSignal (with its listener, several µs of CPU and ~1 KB per attempt in Node 20).
   */
  onAbort(listener: (reason: Error) => void): () => void;
  /**
   * Reports progress (percent clamped to 0..100, optional JSON data). Cheap to call often:
   * the worker keeps the latest value per task and writes it at most every
   * PROGRESS_INTERVAL_MS under the task's lease; it shows in `GET /tasks/:id` and `/events`.
   */
  progress(percent: number, data?: unknown): void;
  logger: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

export type TaskHandlerFn<P = unknown, R = unknown> = (
  payload: P,
  ctx: TaskContext,
) => R | Promise<R>;

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
