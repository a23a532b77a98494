import { Injectable } from '@nestjs/common';
import { NonRetryableError, TaskHandler, type TaskContext } from '@switchyard/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { CountPayload } from './count.payload';
import { computeHash, type HashInput, type HashResult } from './hash.compute';

/** Executions of `flaky` tasks on this process, by task id (bounded: oldest forgotten first). */
const FLAKY_MEMORY = 10_000;

/** The handlers every worker ships with: for trying Switchyard out and for its tests. */
@Injectable()
export class ExampleHandlers {
  private readonly flakyRuns = new Map<string, number>();

  /** Does nothing: what the benchmark uses to measure Switchyard's own cost per task. */
  @TaskHandler('noop')
  noop(): null {
    return null;
  }

  @TaskHandler('echo')
  echo(payload: unknown): unknown {
    return payload;
  }

  @TaskHandler('sleep')
  async sleep(payload: { ms?: unknown }, ctx: TaskContext): Promise<{ slept: number }> {
    const ms = Number(payload?.ms ?? 0);
    if (!Number.isFinite(ms) || ms < 0)
      throw new NonRetryableError('payload.ms must be a non-negative number');
    // ctx.onAbort rather than sleep(ms, …, { signal: ctx.signal }): the signal and its listener
    // were most of the worker's CPU and allocation per task under a 10 ms sleep (bench case 4)
    await new Promise<void>((resolve, reject) => {
      // the listener is taken back when the sleep ends, so a handler that sleeps in a loop
      // holds one at a time
      const timer = setTimeout(() => {
        stopListening();
        resolve();
      }, ms);
      const stopListening = ctx.onAbort((reason) => {
        clearTimeout(timer);
        reject(reason);
      });
    });
    return { slept: ms };
  }

  /** Counts `steps` steps of `stepMs`, reporting progress after each: the DTO and progress example. */
  @TaskHandler('count', { payload: CountPayload })
  async count(payload: CountPayload, ctx: TaskContext): Promise<{ counted: number }> {
    for (let step = 1; step <= payload.steps; step++) {
      await sleep(payload.stepMs, undefined, { signal: ctx.signal });
      ctx.progress((step / payload.steps) * 100, { step, of: payload.steps });
    }
    return { counted: payload.steps };
  }

  /** CPU-bound: runs computeHash in a worker thread; this method is the same work in-process. */
  @TaskHandler('hash', {
    isolated: { module: require.resolve('./hash.compute'), export: 'computeHash' },
  })
  hash(payload: HashInput): HashResult {
    return computeHash(payload);
  }

  /** Fails its first `failTimes` executions (counted per task id on this process), then succeeds. */
  @TaskHandler('flaky')
  flaky(payload: { failTimes?: unknown }, ctx: TaskContext): { executions: number } {
    const failTimes = Number(payload?.failTimes ?? 1);
    if (!Number.isInteger(failTimes) || failTimes < 0)
      throw new NonRetryableError('payload.failTimes must be a non-negative integer');
    const executions = (this.flakyRuns.get(ctx.taskId) ?? 0) + 1;
    this.flakyRuns.delete(ctx.taskId);
    this.flakyRuns.set(ctx.taskId, executions);
    if (this.flakyRuns.size > FLAKY_MEMORY)
      this.flakyRuns.delete(this.flakyRuns.keys().next().value as string);
    if (executions <= failTimes)
      throw new Error(`flaky: failing execution ${executions} of ${failTimes}`);
    return { executions };
  }

  @TaskHandler('fail')
  fail(payload: { message?: unknown; retryable?: unknown }): never {
    const message = typeof payload?.message === 'string' ? payload.message : 'failed on purpose';
    if (payload?.retryable === false) throw new NonRetryableError(message);
    throw new Error(message);
  }
}
