import { TaskNotFoundError } from '../errors/switchyard.error';
import type { TaskState } from '../task/task-state';
import type { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';
import type { CancelOutcome, RetryOutcome, TaskStoreSettings } from './task-store.types';

/** What a user may do to one task: cancel it, or run a failed or cancelled one again. */
export class TaskControlStore {
  constructor(
    private readonly scripts: LuaScripts,
    private readonly settings: TaskStoreSettings,
  ) {}

  async cancel(id: string, now = Date.now()): Promise<CancelOutcome> {
    const s = this.settings;
    const reply = await inStore(
      this.scripts.run<(string | number)[]>('cancel', [
        id,
        now,
        s.finishedRetentionMs,
        s.finishedListCap,
      ]),
    );
    if (reply[0] === 'ok') {
      const node = String(reply[2]);
      return {
        ok: true,
        previous: reply[1] as TaskState,
        ...(node !== '' && { node, incarnation: Number(reply[3]) }),
        lease: Number(reply[4]),
      };
    }
    if (reply[0] === 'gone') throw new TaskNotFoundError(id);
    return { ok: false, state: reply[1] as TaskState };
  }

  /** Re-queues a failed or cancelled task with a fresh attempt budget. */
  async retry(id: string, now = Date.now()): Promise<RetryOutcome> {
    const reply = await inStore(
      this.scripts.run<string[]>('retry', [id, now, this.settings.agingStepMs]),
    );
    if (reply[0] === 'gone') throw new TaskNotFoundError(id);
    if (reply[0] === 'ok') return { ok: true, previous: reply[1] as TaskState };
    return { ok: false, state: reply[1] as TaskState };
  }
}
