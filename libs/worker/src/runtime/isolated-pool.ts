import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  NonRetryableError,
  SWITCHYARD_CONFIG,
  type IsolatedHandler,
  type SwitchyardConfig,
} from '@switchyard/core';
import * as os from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import type { IsolatedOutcome, IsolatedTask } from './isolated-entry';

/**
 * The worker-thread pool for CPU-heavy handlers (`@TaskHandler(type, { isolated })`). The
 * event loop only awaits the thread, so heartbeats, reports and bus messages keep flowing.
 * Aborting the task's signal (timeout, cancel, drain) terminates its thread. Threads are
 * bounded by the node's slots and the machine's cores; created on first use.
 */
@Injectable()
export class IsolatedPool implements OnApplicationShutdown {
  private readonly logger = new Logger(IsolatedPool.name);
  private pool: Piscina<IsolatedTask, IsolatedOutcome> | undefined;

  constructor(@Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig) {}

  async run(handler: IsolatedHandler, payload: unknown, signal: AbortSignal): Promise<unknown> {
    const outcome = await this.threads().run(
      { module: handler.module, export: handler.export, payload },
      { signal },
    );
    if (outcome.ok) return outcome.value;
    if (!outcome.retryable) throw new NonRetryableError(outcome.message, outcome.code);
    throw Object.assign(
      new Error(outcome.message),
      outcome.code !== undefined ? { code: outcome.code } : {},
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool
      ?.destroy()
      .catch((err: unknown) => this.logger.warn(`closing worker threads: ${String(err)}`));
  }

  private threads(): Piscina<IsolatedTask, IsolatedOutcome> {
    if (this.pool === undefined) {
      const maxThreads = Math.max(1, Math.min(os.availableParallelism(), this.config.workerSlots));
      this.pool = new Piscina<IsolatedTask, IsolatedOutcome>({
        filename: path.join(__dirname, 'isolated-entry.js'),
        maxThreads,
        minThreads: 0,
        idleTimeout: 30_000,
        // one pending run per slot at most: the node never holds more tasks than slots
        maxQueue: this.config.workerSlots,
      });
      this.logger.log(`worker threads for isolated handlers: up to ${maxThreads}`);
    }
    return this.pool;
  }
}
