import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SwitchyardConfig } from '../config/switchyard-config';
import {
  IllegalTransitionError,
  InvalidInputError,
  LimitExceededError,
  SwitchyardError,
  TaskNotFoundError,
} from '../errors/switchyard.error';
import { BusPublisher } from '../messaging/bus-publisher';
import { ChannelNaming, Patterns } from '../messaging/patterns';
import { SwitchyardRedisClient } from '../messaging/switchyard-redis.client';
import { Keyspace } from '../store/keyspace';
import { closeRedis, connectRedis, createRedis } from '../store/redis-connection';
import { TaskStore } from '../store/task.store';
import { isTaskId } from '../task/task-id';
import type { SubmitOutcome, TaskStateView, TaskView } from '../task/task.model';
import type { ClientBackend, ControlOutcome, WaitOptions } from './client-backend';
import { FinishedFeed } from './finished-feed';
import { checkTasks, type TaskInput } from './task-input';
import { TaskWait, TaskWaiters } from './task-waiters';

export class WaitTimeoutError extends SwitchyardError {
  readonly code = 'wait_timeout';
  constructor(
    readonly pending: number,
    timeoutMs: number,
    /** The error of the last read of the pending tasks that failed, if one did. */
    readonly lastReadError?: unknown,
  ) {
    super(
      `${pending} task(s) did not finish within ${timeoutMs} ms` +
        (lastReadError === undefined
          ? ''
          : ` (the last read of them failed: ${(lastReadError as Error)?.message ?? String(lastReadError)})`),
    );
  }
}

/**
 * Submits and watches tasks straight through Redis, without Nest or the dispatcher's HTTP
 * API: the same atomic scripts the dispatcher runs (submit, cancel, retry), then the same
 * notifications. `waitFor` hears `tasks.finished` and confirms every outcome by reading Redis.
 */
export class RedisBackend implements ClientBackend {
  private readonly redis: Redis;
  private readonly tasks: TaskStore;
  private readonly bus: BusPublisher;
  private readonly feed: FinishedFeed;
  private readonly waiters: TaskWaiters;
  private readonly stateWaiters: TaskWaiters<TaskStateView>;
  private readonly submittedChannel: string;
  private connected: Promise<void> | undefined;
  private closed = false;
  /** Redis connection name of this client (CLIENT LIST shows `<name>` and `<name>:sub`). */
  readonly name = `switchyard-client-${randomBytes(3).toString('hex')}`;

  constructor(readonly config: SwitchyardConfig) {
    const name = this.name;
    this.redis = createRedis(config, name);
    this.tasks = new TaskStore(this.redis, new Keyspace(config.prefix), config);
    this.bus = new BusPublisher(new SwitchyardRedisClient(config, config.prefix));
    this.submittedChannel = new ChannelNaming(config.prefix).channel(Patterns.TasksSubmitted);
    this.feed = new FinishedFeed(config, config.prefix, `${name}:sub`, config.maxBusMessageBytes);
    this.waiters = new TaskWaiters((ids) => this.tasks.getMany(ids));
    this.stateWaiters = new TaskWaiters((ids) => this.tasks.getStates(ids));
    this.feed.listen((done) => {
      this.waiters.heard(done);
      this.stateWaiters.heard(done);
    });
  }

  /** Connects the command and subscriber connections (also done on first use). */
  connect(): Promise<void> {
    this.connected ??= Promise.all([connectRedis(this.redis), this.feed.start()]).then(
      () => undefined,
    );
    return this.connected;
  }

  /** Creates the tasks atomically (all or none); the same script tells the leader. */
  async submitBatch(inputs: readonly TaskInput[]): Promise<SubmitOutcome[]> {
    if (inputs.length > this.config.maxBatchSize) {
      throw new LimitExceededError(
        'MAX_BATCH_SIZE',
        `a batch holds at most ${this.config.maxBatchSize} tasks, got ${inputs.length}`,
      );
    }
    if (inputs.length === 0) return [];
    const now = Date.now();
    const { specs, payloadJsons } = checkTasks(inputs, this.config, now);
    await this.connect();
    // the script announces the new tasks to the leader (tasks.submitted)
    return this.tasks.submit(specs, now, this.submittedChannel, payloadJsons);
  }

  async get(id: string): Promise<TaskView> {
    await this.connect();
    return this.tasks.get(id);
  }

  /** cancel.lua, then the running node (if any) is told to abort the handler. */
  async cancel(id: string): Promise<ControlOutcome> {
    requireId(id);
    await this.connect();
    const out = await this.tasks.cancel(id);
    if (!out.ok) {
      if (out.state === undefined) throw new TaskNotFoundError(id);
      throw new IllegalTransitionError(id, out.state, 'cancelled');
    }
    if (out.node !== undefined)
      this.bus.nodeCancel({ node: out.node, tasks: [{ id, lease: out.lease }] });
    // the leader sees the freed capacity on its next tick (SCHEDULER_TICK_MS)
    return { id, state: 'cancelled', previous: out.previous };
  }

  /** retry.lua (failed or cancelled → queued, fresh attempt budget), then the leader is told. */
  async retry(id: string): Promise<ControlOutcome> {
    requireId(id);
    await this.connect();
    const out = await this.tasks.retry(id);
    if (!out.ok) {
      throw new IllegalTransitionError(
        id,
        out.state,
        'queued (only failed or cancelled tasks can be retried)',
      );
    }
    this.bus.tasksSubmitted({ count: 1 });
    return { id, state: 'queued', previous: out.previous };
  }

  /** Resolves with the views of the tasks once every one is terminal (succeeded, failed, cancelled). */
  waitFor(ids: readonly string[], opts: WaitOptions = {}): Promise<TaskView[]> {
    return this.waitOn(this.waiters, ids, opts);
  }

  /**
   * `waitFor` that confirms and gives only each task's state: no view is decoded or kept until
   * the wait ends, which spares a caller waiting for many tasks most of the work and memory.
   */
  waitForStates(ids: readonly string[], opts: WaitOptions = {}): Promise<TaskStateView[]> {
    return this.waitOn(this.stateWaiters, ids, opts);
  }

  private async waitOn<V extends TaskStateView>(
    waiters: TaskWaiters<V>,
    ids: readonly string[],
    opts: WaitOptions,
  ): Promise<V[]> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const pollMs = opts.pollIntervalMs ?? 1000;
    if (ids.length === 0) return [];
    await this.connect();
    const startedAt = Date.now();
    let settle: (() => void) | undefined;
    const wait = new TaskWait<V>(ids, () => settle?.());
    waiters.add(wait);
    // A lost notification is found by a read of what is still pending once the channel has
    // been quiet for a poll interval (while messages flow, tasks are still finishing).
    let polling = false;
    const poller = setInterval(() => {
      const quietSince = Math.max(startedAt, this.feed.lastMessageAt);
      if (polling || Date.now() - quietSince < pollMs || wait.pendingCount === 0) return;
      polling = true;
      void waiters
        .recheck(wait)
        .catch((err: unknown) => (wait.lastReadError = err)) // Redis away: the next poll tries again
        .finally(() => (polling = false));
    }, pollMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        settle = resolve;
        timer = setTimeout(
          () => reject(new WaitTimeoutError(wait.pendingCount, timeoutMs, wait.lastReadError)),
          timeoutMs,
        );
        // a task that finished just before we listened was named by a message we already heard
        const early = ids.filter((id) => this.feed.heardDone(id));
        if (early.length > 0) waiters.heard(early);
      });
    } finally {
      waiters.remove(wait);
      clearInterval(poller);
      clearTimeout(timer);
    }
    return wait.result();
  }

  /** Closes every connection this client opened. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.close();
    this.stateWaiters.close();
    await Promise.all([
      this.feed.close(),
      this.bus.close().catch(() => undefined),
      closeRedis(this.redis),
    ]);
  }
}

function requireId(id: string): void {
  if (!isTaskId(id)) throw new InvalidInputError(`"${id}" is not a task id (a 26-character ULID)`);
}
