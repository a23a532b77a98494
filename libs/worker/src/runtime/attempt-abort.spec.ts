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
    const waiting = abort.whenAborted();
    abort.abort(new Error('timed out'));
    abort.abort(new Error('revoked'));
    await expect(waiting).rejects.toThrow('timed out');
    await expect(abort.whenAborted()).rejects.toThrow('timed out');
    expect(abort.aborted).toBe(true);
  });

  it('stays quiet while the attempt runs', () => {
    const abort = new AttemptAbort();
    expect(abort.aborted).toBe(false);
    expect(abort.signal.aborted).toBe(false);
  });
});
