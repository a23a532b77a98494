import type { RedisInstance } from '../support/redis-instance';

/** The two handlers both systems run: no-op, and a 10 ms sleep. */
export type HandlerKind = 'noop' | 'sleep';

export const PAYLOAD_BYTES = 256;

/** A payload whose JSON is exactly PAYLOAD_BYTES long. */
export function payloadFor(kind: HandlerKind): Record<string, unknown> {
  const base: Record<string, unknown> = kind === 'sleep' ? { ms: 10, pad: '' } : { pad: '' };
  base.pad = 'x'.repeat(PAYLOAD_BYTES - JSON.stringify(base).length);
  return base;
}

/** What the benchmark drives: Switchyard or BullMQ, on its own redis-server. */
export interface SystemUnderTest {
  readonly name: 'switchyard' | 'bullmq';
  readonly redis: RedisInstance;
  /** Processes whose CPU is the system's cost per task (workers, and the dispatcher). */
  workerPids(): number[];
  dispatcherPids(): number[];
  startWorkers(count: number, slots: number): Promise<void>;
  stopWorkers(): Promise<void>;
  /** Submits `count` tasks in batches of `batchSize` and resolves when every one is done. */
  runBatch(kind: HandlerKind, count: number, batchSize: number): Promise<void>;
  /** Submits one task and resolves when it is done. */
  runOne(kind: HandlerKind): Promise<void>;
  /** Submits single tasks from `concurrency` callers for `durationMs`; returns how many were accepted. */
  submitSingles(concurrency: number, durationMs: number): Promise<number>;
  /** Resolves when no task is waiting or running. */
  drain(): Promise<void>;
  /** Adds `count` tasks that nobody takes (no workers running). */
  enqueueOnly(count: number, batchSize: number): Promise<void>;
  close(): Promise<void>;
}
