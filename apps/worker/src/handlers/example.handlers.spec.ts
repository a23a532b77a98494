import type { TaskContext } from '@switchyard/core';
import { ExampleHandlers } from './example.handlers';

/** An attempt's abort as a handler sees it through `ctx.onAbort` (the runner's AttemptAbort). */
class FakeAbort {
  private reason: Error | undefined;
  readonly listeners = new Set<(reason: Error) => void>();

  abort(reason: Error): void {
    this.reason ??= reason;
    for (const l of this.listeners) l(reason);
    this.listeners.clear();
  }

  get ctx(): TaskContext {
    return {
      onAbort: (listener: (reason: Error) => void) => {
        if (this.reason !== undefined) listener(this.reason);
        else this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      // the sleep handler reads only onAbort
    } as unknown as TaskContext;
  }
}

describe('the sleep handler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sleeps the ms it is given, and takes its abort listener back when done', async () => {
    const abort = new FakeAbort();
    const done = new ExampleHandlers().sleep({ ms: 10 }, abort.ctx);
    expect(abort.listeners.size).toBe(1);
    await jest.advanceTimersByTimeAsync(10);
    await expect(done).resolves.toEqual({ slept: 10 });
    expect(abort.listeners.size).toBe(0);
  });

  it('stops at the abort, with its reason, and leaves no timer behind', async () => {
    const abort = new FakeAbort();
    const done = new ExampleHandlers().sleep({ ms: 60_000 }, abort.ctx);
    await jest.advanceTimersByTimeAsync(100);
    abort.abort(new Error('task cancelled'));
    await expect(done).rejects.toThrow('task cancelled');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not start when its attempt is already aborted', async () => {
    const abort = new FakeAbort();
    abort.abort(new Error('timed out'));
    await expect(new ExampleHandlers().sleep({ ms: 60_000 }, abort.ctx)).rejects.toThrow(
      'timed out',
    );
    expect(jest.getTimerCount()).toBe(0);
  });
});
