import { isTerminal } from '../task/task-state';
import type { TaskView } from '../task/task.model';

/** Ids read from Redis in one MGET. */
export const READ_CHUNK = 1000;

/** Reads the views of tasks from Redis (missing ones left out): TaskStore.getMany. */
export type ReadViews = (ids: readonly string[]) => Promise<TaskView[]>;

/**
 * What one `waitFor` call waits for: each task's terminal view once read (null while it is
 * pending). `settled` runs once every task is terminal, or with the error of a read it needed.
 */
export class TaskWait {
  private readonly views = new Map<string, TaskView | null>();
  private left: number;

  constructor(
    readonly ids: readonly string[],
    private readonly settled: (failure?: unknown) => void,
  ) {
    for (let i = 0; i < ids.length; i++) this.views.set(ids[i], null);
    this.left = this.views.size;
  }

  /** Tasks not yet read in a terminal state. */
  get pendingCount(): number {
    return this.left;
  }

  pendingIds(): string[] {
    const ids: string[] = [];
    for (const [id, view] of this.views) if (view === null) ids.push(id);
    return ids;
  }

  /** Takes a view read from Redis: kept if the task is one of ours, pending and terminal. */
  offer(view: TaskView): boolean {
    if (this.views.get(view.id) !== null || !isTerminal(view.state)) return false;
    this.views.set(view.id, view);
    this.left--;
    return true;
  }

  /** The views in the order of `ids` (complete once pendingCount is 0). */
  result(): TaskView[] {
    const out: TaskView[] = new Array(this.ids.length);
    for (let i = 0; i < this.ids.length; i++) out[i] = this.views.get(this.ids[i]) as TaskView;
    return out;
  }

  done(): void {
    if (this.left === 0) this.settled();
  }

  fail(err: unknown): void {
    this.settled(err);
  }

  /** Reads the given tasks for this wait alone; settles when none is left pending. */
  async check(read: ReadViews, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      const chunk = ids.length <= READ_CHUNK ? ids : ids.slice(i, i + READ_CHUNK);
      for (const view of await read(chunk)) this.offer(view);
    }
    this.done();
  }
}

/**
 * The waits of one client, indexed by task id, and the confirming reads that the
 * `tasks.finished` messages ask for. A message only names tasks to read again: the views
 * that settle a wait come from Redis. The ids named by every message heard in one turn of the
 * event loop are read together (one MGET per READ_CHUNK ids, not one per message and wait),
 * and each view goes to the waits for its task: a message costs one map lookup per id, not a
 * filter per wait.
 */
export class TaskWaiters {
  /** Task id → the wait for it (an array in the rare case that several wait for one task). */
  private readonly byId = new Map<string, TaskWait | TaskWait[]>();
  /** Ids to read at the end of this turn (a repeated id is read twice, and delivered once). */
  private toRead: string[] = [];

  constructor(private readonly read: ReadViews) {}

  add(wait: TaskWait): void {
    for (let i = 0; i < wait.ids.length; i++) {
      const id = wait.ids[i];
      const there = this.byId.get(id);
      if (there === undefined) this.byId.set(id, wait);
      else if (there === wait) continue;
      else if (!Array.isArray(there)) this.byId.set(id, [there, wait]);
      else if (!there.includes(wait)) there.push(wait);
    }
  }

  remove(wait: TaskWait): void {
    for (const id of wait.ids) this.forget(id, wait);
  }

  /** Tasks a message named as done: those someone waits for are read once this turn ends. */
  heard(ids: readonly string[]): void {
    if (this.byId.size === 0) return;
    const start = this.toRead.length;
    for (let i = 0; i < ids.length; i++) {
      if (this.byId.has(ids[i])) this.toRead.push(ids[i]);
    }
    if (start === 0 && this.toRead.length > 0) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const ids = this.toRead;
    this.toRead = [];
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      const chunk = ids.length <= READ_CHUNK ? ids : ids.slice(i, i + READ_CHUNK);
      this.read(chunk).then(
        (views) => this.deliver(views),
        (err: unknown) => this.failAll(chunk, err),
      );
    }
  }

  private deliver(views: readonly TaskView[]): void {
    const touched: TaskWait[] = [];
    for (let i = 0; i < views.length; i++) {
      const view = views[i];
      const there = this.byId.get(view.id);
      if (there === undefined) continue;
      if (!Array.isArray(there)) {
        if (there.offer(view)) {
          this.byId.delete(view.id);
          touched.push(there);
        }
        continue;
      }
      // each wait gets a view of its own, as if it had read the task itself
      let first = true;
      for (const wait of [...there]) {
        if (wait.offer(first ? view : structuredClone(view))) {
          first = false;
          this.forget(view.id, wait);
          touched.push(wait);
        }
      }
    }
    for (let i = 0; i < touched.length; i++) touched[i].done();
  }

  private failAll(ids: readonly string[], err: unknown): void {
    const failed = new Set<TaskWait>();
    for (const id of ids) {
      const there = this.byId.get(id);
      if (there === undefined) continue;
      for (const wait of Array.isArray(there) ? there : [there]) failed.add(wait);
    }
    for (const wait of failed) wait.fail(err);
  }

  private forget(id: string, wait: TaskWait): void {
    const there = this.byId.get(id);
    if (there === wait) this.byId.delete(id);
    else if (Array.isArray(there)) {
      const at = there.indexOf(wait);
      if (at >= 0) there.splice(at, 1);
      if (there.length === 1) this.byId.set(id, there[0]);
      else if (there.length === 0) this.byId.delete(id);
    }
  }
}
