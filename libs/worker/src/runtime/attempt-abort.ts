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
    this.rejectWaiter?.(reason);
  }

  /** Rejects with the reason when the attempt is aborted (at once if it already was). */
  whenAborted(): Promise<never> {
    return new Promise((_, reject) => {
      if (this.why !== undefined) reject(this.why);
      else this.rejectWaiter = reject;
    });
  }
}
