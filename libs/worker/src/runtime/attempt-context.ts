import type { TaskContext } from '@switchyard/core';
import type { AttemptAbort } from './attempt-abort';

type Progress = (percent: number, data?: unknown) => void;

/**
 * The `ctx` a handler gets. A class, so an attempt costs one object: an object literal with a
 * `signal` getter and a `progress` arrow made a getter, an accessor pair and two closures per
 * task. `progress` is still a function of its own (made on first use), so a handler may pass it
 * around or destructure it.
 */
export class AttemptContext implements TaskContext {
  private progressFn: Progress | undefined;

  constructor(
    readonly taskId: string,
    readonly attempt: number,
    private readonly abort: AttemptAbort,
    /** Reports progress, or ignores it once the attempt has ended (the runner decides). */
    private readonly report: (ctx: AttemptContext, percent: number, data: unknown) => void,
    readonly logger: TaskContext['logger'],
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  onAbort(listener: (reason: Error) => void): () => void {
    return this.abort.onAbort(listener);
  }

  get progress(): Progress {
    return (this.progressFn ??= (percent, data) => this.report(this, percent, data));
  }
}
