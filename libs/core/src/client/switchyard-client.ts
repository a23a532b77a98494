import { loadConfig, type SwitchyardConfig } from '../config/switchyard-config';
import { SwitchyardError } from '../errors/switchyard.error';
import type { SubmitOutcome, TaskStateView, TaskView } from '../task/task.model';
import type { ClientBackend, ControlOutcome, WaitOptions } from './client-backend';
import { HttpBackend, type HttpClientOptions } from './http-backend';
import { RedisBackend } from './redis-backend';
import type { TaskInput } from './task-input';
import type {
  AnyTasks,
  SubmitOptions,
  TaskMap,
  TaskName,
  TaskRef,
  TypedTaskInput,
} from './task-map';

/** waitForResult: the task ended failed or cancelled; `task` is its last view. */
export class TaskFailedError extends SwitchyardError {
  readonly code = 'task_failed';
  constructor(readonly task: TaskView) {
    super(`task ${task.id} ended ${task.state}${task.error ? `: ${task.error.message}` : ''}`);
  }
}

/** A submitted task: the outcome plus its type, so the result type follows it. */
export type Submitted<K extends string> = SubmitOutcome & TaskRef<K>;

/**
 * Submits and watches tasks, with or without Nest, through Redis (`new SwitchyardClient(config)`,
 * the same atomic scripts as the dispatcher) or through the dispatcher's HTTP API
 * (`SwitchyardClient.overHttp({ url, apiKey })`). Give it a task map to have payloads and
 * results checked at compile time:
 *
 *   const client = new SwitchyardClient<{ 'image.resize': { payload: Resize; result: Image } }>(config);
 *   const image = await client.waitForResult(await client.submit('image.resize', { width: 64 }));
 */
export class SwitchyardClient<Tasks extends TaskMap = AnyTasks> {
  private readonly backend: ClientBackend;
  /** The built-in backends return outcome objects made for this call and kept by no one. */
  private readonly ownsOutcomes: boolean;

  constructor(config: SwitchyardConfig);
  constructor(backend: ClientBackend);
  constructor(source: SwitchyardConfig | ClientBackend) {
    this.backend = isBackend(source) ? source : new RedisBackend(source);
    this.ownsOutcomes = this.backend instanceof RedisBackend || this.backend instanceof HttpBackend;
  }

  /** Over Redis, configured from the apps' variables (REDIS_URL, SWITCHYARD_PREFIX, ...). */
  static fromEnv<T extends TaskMap = AnyTasks>(
    env: Record<string, string | undefined>,
  ): SwitchyardClient<T> {
    return new SwitchyardClient<T>(loadConfig(env));
  }

  /** Over the dispatcher's HTTP API (API key sent as a bearer token). */
  static overHttp<T extends TaskMap = AnyTasks>(options: HttpClientOptions): SwitchyardClient<T> {
    return new SwitchyardClient<T>(new HttpBackend(options));
  }

  /** Redis connection name of a Redis client (CLIENT LIST shows `<name>` and `<name>:sub`). */
  get name(): string | undefined {
    return this.backend instanceof RedisBackend ? this.backend.name : undefined;
  }

  /** Connects (also done on first use). */
  connect(): Promise<void> {
    return this.backend.connect();
  }

  submit<K extends TaskName<Tasks>>(
    type: K,
    payload: Tasks[K]['payload'],
    options?: SubmitOptions,
  ): Promise<Submitted<K>>;
  submit<K extends TaskName<Tasks>>(input: TypedTaskInput<Tasks, K>): Promise<Submitted<K>>;
  async submit(
    typeOrInput: string | TaskInput,
    payload?: unknown,
    options?: SubmitOptions,
  ): Promise<Submitted<string>> {
    const input: TaskInput =
      typeof typeOrInput === 'string' ? { ...options, type: typeOrInput, payload } : typeOrInput;
    const [outcome] = await this.backend.submitBatch([input]);
    return { ...outcome, type: input.type };
  }

  /** Creates the tasks atomically (all or none), then tells the leader. */
  async submitBatch<K extends TaskName<Tasks>>(
    inputs: readonly TypedTaskInput<Tasks, K>[],
  ): Promise<Submitted<K>[]> {
    const outcomes = await this.backend.submitBatch(inputs as readonly TaskInput[]);
    if (!this.ownsOutcomes) return outcomes.map((o, i) => ({ ...o, type: inputs[i].type }));
    // the same objects as the copies above would be, without a copy per task
    const typed = outcomes as Submitted<K>[];
    for (let i = 0; i < typed.length; i++) typed[i].type = inputs[i].type;
    return typed;
  }

  get(id: string): Promise<TaskView> {
    return this.backend.get(id);
  }

  /** Cancels a live task (a running handler is aborted). IllegalTransitionError / 409 if it ended. */
  cancel(id: string): Promise<ControlOutcome> {
    return this.backend.cancel(id);
  }

  /** Re-queues a failed or cancelled task with a fresh attempt budget. */
  retry(id: string): Promise<ControlOutcome> {
    return this.backend.retry(id);
  }

  /** Resolves with the views of the tasks once every one is terminal (succeeded, failed, cancelled). */
  waitFor(ids: readonly string[], opts: WaitOptions = {}): Promise<TaskView[]> {
    return this.backend.waitFor(ids, opts);
  }

  /**
   * `waitFor` resolving with only each task's id and state (in the order of `ids`). For callers
   * that wait for many tasks and need no more: over Redis nothing but the states is decoded or
   * held while the tasks run.
   */
  async waitForStates(ids: readonly string[], opts: WaitOptions = {}): Promise<TaskStateView[]> {
    if (this.backend.waitForStates !== undefined) return this.backend.waitForStates(ids, opts);
    const views = await this.backend.waitFor(ids, opts);
    return views.map((v) => ({ id: v.id, state: v.state }));
  }

  /** The result of a task once it succeeded; rejects with TaskFailedError if it failed or was cancelled. */
  async waitForResult<K extends TaskName<Tasks>>(
    task: TaskRef<K>,
    opts: WaitOptions = {},
  ): Promise<Tasks[K]['result']> {
    const [view] = await this.backend.waitFor([task.id], opts);
    if (view.state !== 'succeeded') throw new TaskFailedError(view);
    return view.result as Tasks[K]['result'];
  }

  /** Submit, then wait for the result. */
  async run<K extends TaskName<Tasks>>(
    type: K,
    payload: Tasks[K]['payload'],
    options: SubmitOptions & { wait?: WaitOptions } = {},
  ): Promise<Tasks[K]['result']> {
    const { wait, ...submit } = options;
    const task = await this.submit(type, payload, submit);
    return this.waitForResult(task, wait);
  }

  /** Closes every connection this client opened. */
  close(): Promise<void> {
    return this.backend.close();
  }
}

function isBackend(source: SwitchyardConfig | ClientBackend): source is ClientBackend {
  return typeof (source as ClientBackend).submitBatch === 'function';
}
