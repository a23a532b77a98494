import type { TaskState } from '../task/task-state';
import type { SubmitOutcome, TaskStateView, TaskView } from '../task/task.model';
import type { TaskInput } from './task-input';

export interface WaitOptions {
  /** Give up after this long (rejects with WaitTimeoutError). */
  timeoutMs?: number;
  /** Redis: with no notification for this long, read the pending tasks anyway. HTTP: the poll interval. */
  pollIntervalMs?: number;
}

/** What cancel and retry did (the dispatcher's HTTP answer has the same shape). */
export interface ControlOutcome {
  id: string;
  state: TaskState;
  previous: TaskState;
}

/** How a SwitchyardClient reaches Switchyard: straight through Redis, or the dispatcher's HTTP API. */
export interface ClientBackend {
  connect(): Promise<void>;
  submitBatch(inputs: readonly TaskInput[]): Promise<SubmitOutcome[]>;
  get(id: string): Promise<TaskView>;
  cancel(id: string): Promise<ControlOutcome>;
  retry(id: string): Promise<ControlOutcome>;
  waitFor(ids: readonly string[], opts: WaitOptions): Promise<TaskView[]>;
  /** `waitFor` giving only each task's state (optional: the client falls back to `waitFor`). */
  waitForStates?(ids: readonly string[], opts: WaitOptions): Promise<TaskStateView[]>;
  close(): Promise<void>;
}
