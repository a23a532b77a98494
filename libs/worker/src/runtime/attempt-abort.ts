const NOTHING_TO_UNDO = (): void => undefined;

/**
 * How an attempt is aborted (timeout, cancel, revoked lease, drain). The AbortController is made
 * only when something asks for the signal (a handler reading `ctx.signal`, an isolated run):
 * most handlers never do, and a controller, its signal and a listener per attempt are a
 * measurable share of a no-op task's CPU.
 */
export class AttemptAbort {
  private controller: AbortController | undefined;
  private why: Error | undefined;
  private rejectWaiter: ((reason: Error) => void) | undefined;
  private listeners: ((reason: Error) => void)[] | undefined;

  get aborted(): boolean {
    return this.why !== undefined;
  }

  /** The attempt's AbortSignal (already aborted if the attempt was). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.why !== undefined) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  /** Aborts once; later calls keep the first reason, as AbortController does. */
  abort(reason: Error): void {
    if (this.why !== undefined) return;
    this.why = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) {
      for (const listener of listeners) {
        try {
          listener(reason);
        } catch {
          // a handler's listener: its throw must not stop the others, nor the abort (the
          // deadline scan calls this for every expired attempt in one loop)
        }
      }
    }
    this.rejectWaiter?.(reason);
  }

  /** `ctx.onAbort`: `listener` once on abort (at once if aborted); no AbortSignal is made. */
  onAbort(listener: (reason: Error) => void): () => void {
    if (this.why !== undefined) {
      listener(this.why);
      return NOTHING_TO_UNDO;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const i = this.listeners?.indexOf(listener) ?? -1;
      if (i >= 0) this.listeners?.splice(i, 1);
    };
  }

  /**
   * What the handler gave, or a rejection with the reason if the attempt is aborted first (at
   * once if it already was). A plain value (a synchronous handler) comes back as is: one
   * promise and two closures fewer per attempt than a Promise.race with a waiter.
   */
  race<T>(outcome: T | PromiseLike<T>): T | Promise<T> {
    if (this.why !== undefined) {
      // the handler's promise may still reject: handled here, as Promise.race would
      if (isThenable(outcome)) outcome.then(undefined, () => undefined);
      return Promise.reject(this.why);
    }
    if (!isThenable(outcome)) return outcome;
    return new Promise<T>((resolve, reject) => {
      this.rejectWaiter = reject;
      outcome.then(resolve, reject);
    });
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
