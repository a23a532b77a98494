import { isTerminal } from '../task/task-state';
import type { TaskStateView, TaskView } from '../task/task.model';

/** Ids read from Redis in one MGET. */
export const READ_CHUNK = 1000;

/**
 * Heard ids that make a read even while no wait could settle with it (TaskWaiters): the views
 * are then read a few hundred at a time rather than as each message names a few.
 */
export const READ_BATCH = 500;

/** The longest a heard id waits for its read (a finished task's record may expire). */
export const READ_LINGER_MS = 50;

/** A read that failed (Redis away, a command timed out) is tried again after this long. */
export const READ_RETRY_MS = 250;

/**
 * Reads what a wait gives of each task from Redis (missing ones left out): whole views
 * (TaskReadStore.getMany) or only states (getStates).
 */
export type ReadViews<V extends TaskStateView = TaskView> = (
  ids: readonly string[],
) => Promise<V[]>;

/** A task not read in a terminal state yet: named by no message since, or named by one. */
type Unread = 'unheard' | 'heard';

/**
 * What one `waitFor` call waits for: each task's terminal view once read (until then whether
 * a message named it). `settled` runs once every task is terminal. A failed read does not end
 * it: the read is tried again, and the wait keeps the error to name it if it times out.
 */
export class TaskWait<V extends TaskStateView = TaskView> {
  private readonly views = new Map<string, V | Unread>();
  /** Tasks not read in a terminal state yet. */
  private left: number;
  /** Of those, the ones no message has named since they were last read. */
  private unheard: number;
  /** The error of the last read of its tasks that failed (named by a timeout). */
  lastReadError: unknown;

  constructor(
    readonly ids: readonly string[],
    private readonly settled: () => void,
  ) {
    for (let i = 0; i < ids.length; i++) this.views.set(ids[i], 'unheard');
    this.left = this.views.size;
    this.unheard = this.left;
  }

  /** Tasks not yet read in a terminal state. */
  get pendingCount(): number {
    return this.left;
  }

  pendingIds(): string[] {
    const ids: string[] = [];
    for (const [id, view] of this.views) if (typeof view === 'string') ids.push(id);
    return ids;
  }

  /**
   * A message named the task as done. True when that makes every task not yet read one that
   * a message named: a read of them could settle this wait.
   */
  hear(id: string): boolean {
    if (this.views.get(id) !== 'unheard') return false;
    this.views.set(id, 'heard');
    return --this.unheard === 0;
  }

  /** Every task not read yet was named by a message: a read of them could settle this wait. */
  get couldSettle(): boolean {
    return this.unheard === 0 && this.left > 0;
  }

  /** Takes a view read from Redis: kept if the task is one of ours, pending and terminal. */
  offer(view: V): boolean {
    const was = this.views.get(view.id);
    if (typeof was !== 'string') return false;
    if (!isTerminal(view.state)) {
      // the read believed over the message: the task waits for another one
      if (was === 'heard') {
        this.views.set(view.id, 'unheard');
        this.unheard++;
      }
      return false;
    }
    this.views.set(view.id, view);
    this.left--;
    if (was === 'unheard') this.unheard--;
    return true;
  }

  /** The views in the order of `ids` (complete once pendingCount is 0). */
  result(): V[] {
    const out: V[] = new Array(this.ids.length);
    for (let i = 0; i < this.ids.length; i++) out[i] = this.views.get(this.ids[i]) as V;
    return out;
  }

  done(): void {
    if (this.left === 0) this.settled();
  }

  /** Reads the given tasks for this wait alone; settles when none is left pending. */
  async check(read: ReadViews<V>, ids: readonly string[]): Promise<void> {
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
 * that settle a wait come from Redis. Heard ids are read together, one MGET per READ_CHUNK:
 * as soon as a wait has heard of every task it still waits for (a read could settle it, so a
 * lone task is read at once), else once READ_BATCH ids are waiting (and no read is in flight)
 * or the first has waited READ_LINGER_MS. A wait of many tasks thus has its views read a few
 * hundred at a time, not a few per message: each MGET is a round trip, which costs the client
 * and Redis far more CPU (the socket write and wake-up) than the ids in it. Each view goes to
 * the waits for its task: a message costs one map lookup per id, not a filter per wait.
 */
export class TaskWaiters<V extends TaskStateView = TaskView> {
  /** Task id → the wait for it (an array in the rare case that several wait for one task). */
  private readonly byId = new Map<string, TaskWait<V> | TaskWait<V>[]>();
  /** Heard ids not read yet (a repeated id is read twice, and delivered once). */
  private toRead: string[] = [];
  /** Reads sent and not yet answered (a batch waits for them). */
  private reading = 0;
  private flushQueued = false;
  /** A wait has heard of all it still waits for, or the linger is over: read `toRead` now. */
  private due = false;
  private linger: NodeJS.Timeout | undefined;

  constructor(private readonly read: ReadViews<V>) {}

  add(wait: TaskWait<V>): void {
    for (let i = 0; i < wait.ids.length; i++) {
      const id = wait.ids[i];
      const there = this.byId.get(id);
      if (there === undefined) this.byId.set(id, wait);
      else if (there === wait) continue;
      else if (!Array.isArray(there)) this.byId.set(id, [there, wait]);
      else if (!there.includes(wait)) there.push(wait);
    }
  }

  remove(wait: TaskWait<V>): void {
    for (const id of wait.ids) this.forget(id, wait);
  }

  /** Heard ids whose read failed, read again when the retry timer fires. */
  private toRetry: string[] = [];
  private retry: NodeJS.Timeout | undefined;

  /** The client closes: nothing more is read (the linger and retry timers go). */
  close(): void {
    clearTimeout(this.linger);
    clearTimeout(this.retry);
    this.linger = undefined;
    this.retry = undefined;
    this.toRead = [];
    this.toRetry = [];
    this.due = false;
  }

  /** Tasks a message named as done: those someone waits for are read (see the class). */
  heard(ids: readonly string[]): void {
    if (this.byId.size === 0) return;
    const toRead = this.toRead;
    for (let i = 0; i < ids.length; i++) {
      const there = this.byId.get(ids[i]);
      if (there === undefined) continue;
      toRead.push(ids[i]);
      if (!Array.isArray(there)) {
        if (there.hear(ids[i])) this.due = true;
      } else for (const wait of there) if (wait.hear(ids[i])) this.due = true;
    }
    this.kick();
  }

  /**
   * Reads every task the wait still waits for, for it alone (the poll once the channel has been
   * quiet: it finds what a lost message would have named).
   */
  async recheck(wait: TaskWait<V>): Promise<void> {
    await wait.check(this.read, wait.pendingIds());
    if (wait.couldSettle) {
      this.due = true;
      this.kick();
    }
  }

  /** Reads now what may go out now; else makes sure the linger will. */
  private kick(): void {
    if (this.readNow()) {
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(this.flush);
      }
    } else if (this.toRead.length > 0) {
      this.linger ??= setTimeout(this.lingerOver, READ_LINGER_MS).unref();
    }
  }

  private readonly lingerOver = (): void => {
    this.linger = undefined;
    this.due = true;
    this.kick();
  };

  /**
   * A read that could settle a wait (or ends the linger) goes out at once, beside any in
   * flight: a wait never waits for a batch. A batch waits for the reads in flight.
   */
  private readNow(): boolean {
    const n = this.toRead.length;
    return n > 0 && (this.due || (n >= READ_BATCH && this.reading === 0));
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (!this.readNow()) return;
    const ids = this.toRead;
    this.toRead = [];
    this.due = false;
    clearTimeout(this.linger);
    this.linger = undefined;
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      const chunk = ids.length <= READ_CHUNK ? ids : ids.slice(i, i + READ_CHUNK);
      this.reading++;
      this.read(chunk)
        .then(
          (views) => this.deliver(views),
          (err: unknown) => this.retryLater(chunk, err),
        )
        .finally(this.answered);
    }
  };

  /** A read answered (or failed): a batch that waited for it may go out. */
  private readonly answered = (): void => {
    this.reading--;
    this.kick();
  };

  private deliver(views: readonly V[]): void {
    const touched: TaskWait<V>[] = [];
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
    for (let i = 0; i < touched.length; i++) {
      touched[i].done();
      // (a wait that took a view it had not heard of may now have heard of all the rest)
      if (touched[i].couldSettle) this.due = true;
    }
  }

  /**
   * A read failed: its ids that someone still waits for are read again after READ_RETRY_MS
   * (each wait keeps the error). Only ids of live waits are kept, so the list is bounded by them,
   * and a wait that gives up (its timeout) takes its ids out of the retry.
   */
  private retryLater(ids: readonly string[], err: unknown): void {
    for (const id of ids) {
      const there = this.byId.get(id);
      if (there === undefined) continue;
      if (Array.isArray(there)) for (const wait of there) wait.lastReadError = err;
      else there.lastReadError = err;
      this.toRetry.push(id);
    }
    if (this.toRetry.length > 0) this.retry ??= setTimeout(this.retryNow, READ_RETRY_MS).unref();
  }

  private readonly retryNow = (): void => {
    this.retry = undefined;
    for (const id of this.toRetry) if (this.byId.has(id)) this.toRead.push(id);
    this.toRetry = [];
    if (this.toRead.length === 0) return;
    this.due = true;
    this.kick();
  };

  private forget(id: string, wait: TaskWait<V>): void {
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
