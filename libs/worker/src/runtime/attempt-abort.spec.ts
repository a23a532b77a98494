import { AttemptAbort } from './attempt-abort';

describe('an attempt abort', () => {
  it('gives a signal that aborts with the reason, whether asked for before or after', () => {
    const before = new AttemptAbort();
    const signal = before.signal;
    before.abort(new Error('timed out'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('timed out');

    const after = new AttemptAbort();
    after.abort(new Error('cancelled'));
    expect(after.signal.aborted).toBe(true);
    expect((after.signal.reason as Error).message).toBe('cancelled');
  });

  it('keeps the first reason', async () => {
    const abort = new AttemptAbort();
    const waiting = abort.race(new Promise(() => undefined));
    abort.abort(new Error('timed out'));
    abort.abort(new Error('revoked'));
    await expect(waiting).rejects.toThrow('timed out');
    await expect(abort.race(new Promise(() => undefined))).rejects.toThrow('timed out');
    expect(abort.aborted).toBe(true);
  });

  it("settles with the handler's outcome while not aborted, and gives a plain value back as is", async () => {
    const abort = new AttemptAbort();
    expect(abort.race(null)).toBeNull();
    const result = { n: 1 };
    expect(abort.race(result)).toBe(result);
    await expect(abort.race(Promise.resolve('done'))).resolves.toBe('done');
    await expect(abort.race(Promise.reject(new Error('handler failed')))).rejects.toThrow(
      'handler failed',
    );
    expect(abort.aborted).toBe(false);
  });

  it("rejects with the reason, not the handler's outcome, once aborted", async () => {
    const abort = new AttemptAbort();
    let finish: (v: string) => void = () => undefined;
    const pending = abort.race(new Promise<string>((resolve) => (finish = resolve)));
    abort.abort(new Error('cancelled'));
    finish('late');
    await expect(pending).rejects.toThrow('cancelled');
    // a synchronous outcome after the abort does not win either
    await expect(abort.race('late')).rejects.toThrow('cancelled');
  });

  it("handles a handler's rejection that comes after the abort (no unhandled rejection)", async () => {
    const abort = new AttemptAbort();
    abort.abort(new Error('timed out'));
    let fail: (e: Error) => void = () => undefined;
    const outcome = new Promise<never>((_, reject) => (fail = reject));
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await expect(abort.race(outcome)).rejects.toThrow('timed out');
      fail(new Error('handler failed late'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('calls each abort listener once with the reason, and at once when already aborted', () => {
    const abort = new AttemptAbort();
    const first = jest.fn();
    const second = jest.fn();
    abort.onAbort(first);
    abort.onAbort(second);
    expect(first).not.toHaveBeenCalled();
    abort.abort(new Error('cancelled'));
    abort.abort(new Error('revoked'));
    expect(first).toHaveBeenCalledTimes(1);
    expect((first.mock.calls[0] as [Error])[0].message).toBe('cancelled');
    expect(second).toHaveBeenCalledTimes(1);

    const late = jest.fn();
    abort.onAbort(late);
    expect(late).toHaveBeenCalledTimes(1);
    expect((late.mock.calls[0] as [Error])[0].message).toBe('cancelled');
  });

  it('does not call a listener taken back, and a throwing listener stops neither the others nor the abort', async () => {
    const abort = new AttemptAbort();
    const taken = jest.fn();
    const undo = abort.onAbort(taken);
    abort.onAbort(() => {
      throw new Error('listener bug');
    });
    const after = jest.fn();
    abort.onAbort(after);
    undo();
    const waiting = abort.race(new Promise(() => undefined));
    abort.abort(new Error('timed out'));
    expect(taken).not.toHaveBeenCalled();
    expect(after).toHaveBeenCalledTimes(1);
    await expect(waiting).rejects.toThrow('timed out');
  });

  it('stays quiet while the attempt runs', () => {
    const abort = new AttemptAbort();
    expect(abort.aborted).toBe(false);
    expect(abort.signal.aborted).toBe(false);
  });
});
