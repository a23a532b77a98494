import { Injectable } from '@nestjs/common';
import { NonRetryableError, TaskHandler, type TaskContext } from '@switchyard/core';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** The handlers every worker ships with: for trying Switchyard out and for its tests. */
@Injectable()
export class ExampleHandlers {
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
    await sleep(ms, undefined, { signal: ctx.signal });
    return { slept: ms };
  }

  @TaskHandler('hash')
  hash(payload: { rounds?: unknown; input?: unknown }): { digest: string; rounds: number } {
    const rounds = Number(payload?.rounds ?? 1);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100_000_000) {
      throw new NonRetryableError('payload.rounds must be an integer from 1 to 100000000');
    }
    let digest = String(payload?.input ?? '');
    for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest('hex');
    return { digest, rounds };
  }

  @TaskHandler('fail')
  fail(payload: { message?: unknown; retryable?: unknown }): never {
    const message = typeof payload?.message === 'string' ? payload.message : 'failed on purpose';
    if (payload?.retryable === false) throw new NonRetryableError(message);
    throw new Error(message);
  }
}
