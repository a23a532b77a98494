import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors/switchyard.error';
import type { SubmittedHead } from '../messaging/messages';
import { queueScore } from '../task/queue-score';
import { NewTaskHeaders } from '../task/task-header-codec';
import { newTaskId } from '../task/task-id';
import { encodeNewTaskRecord, headerLineOf } from '../task/task-record';
import type { TaskState } from '../task/task-state';
import type { SubmitOutcome, TaskSpec } from '../task/task.model';
import type { Keyspace } from './keyspace';
import { LuaScripts, type ScriptArg } from './lua-scripts';
import { inStore } from './redis-errors';
import type { TaskStoreSettings } from './task-store.types';

/**
 * submit.lua's arguments (its ARGV[1] is args[0] here): six settings and the task count, then
 * ARGS_PER_TASK per task (id, idempotency key, state, type, score, record), then the channel.
 */
const FIRST_TASK_ARG = 7;
const ARGS_PER_TASK = 6;
/** Where a task's record is among its arguments. */
const RECORD_ARG = 5;

/** What one submit call did. */
export interface SubmitReceipt {
  outcomes: SubmitOutcome[];
  /**
   * The one task the call queued, when it created only that one: what its tasks.submitted
   * message names (submit.lua's `head`, same rule, same header line).
   */
  head?: SubmittedHead;
}

/** Creates tasks (submit.lua), and under SUBMIT_DURABILITY waits for replicas to have them. */
export class TaskSubmissionStore {
  private readonly scripts: LuaScripts;

  /**
   * `redis`: under SUBMIT_DURABILITY a connection of its own, because WAIT blocks the connection
   * it runs on and must not hold up heartbeats or the leader lease.
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly settings: TaskStoreSettings,
  ) {
    this.scripts = new LuaScripts(redis, keys.base);
  }

  /**
   * Creates the tasks (all or none); specs must be validated and defaulted by the caller.
   * `announceOn`: the tasks.submitted channel; the script
   * publishes the count of new tasks itself, after its writes, in the same call.
   * `payloadJsons`: each spec's payload as JSON text, when the caller already made it (to
   * check its size): the record then holds exactly the text that was checked.
   */
  async submit(
    specs: readonly TaskSpec[],
    now = Date.now(),
    announceOn = '',
    payloadJsons?: readonly string[],
  ): Promise<SubmitOutcome[]> {
    return (await this.submitTelling(specs, now, announceOn, payloadJsons)).outcomes;
  }

  /**
   * submit, and the task its announcement names (SubmitReceipt.head): a dispatcher that stores
   * a task tells its own scheduling loop what the leader hears on the bus.
   */
  async submitTelling(
    specs: readonly TaskSpec[],
    now = Date.now(),
    announceOn = '',
    payloadJsons?: readonly string[],
  ): Promise<SubmitReceipt> {
    const s = this.settings;
    // sized once: the settings, 6 per task, the channel (pushing 6,000 values grew it a dozen times)
    const args: ScriptArg[] = new Array<ScriptArg>(
      FIRST_TASK_ARG + specs.length * ARGS_PER_TASK + 1,
    );
    args[0] = now;
    args[1] = s.idempotencyTtlMs;
    args[2] = s.maxQueuedPerType;
    args[3] = s.agingStepMs;
    args[4] = s.failedCap;
    args[5] = s.maxDependents;
    args[6] = specs.length;
    const headers = new NewTaskHeaders();
    let at = FIRST_TASK_ARG;
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const delayed = spec.runAt !== undefined && spec.runAt > now;
      const blocked = spec.dependsOn !== undefined && spec.dependsOn.length > 0;
      const state: TaskState = blocked ? 'blocked' : delayed ? 'delayed' : 'queued';
      const payloadJson = payloadJsons?.[i] ?? JSON.stringify(spec.payload ?? null);
      const record = encodeNewTaskRecord(spec, state, now, payloadJson, headers);
      args[at++] = newTaskId(now);
      args[at++] = spec.idempotencyKey ?? '';
      args[at++] = state;
      args[at++] = spec.type;
      args[at++] =
        state === 'delayed'
          ? (spec.runAt as number)
          : queueScore(now, spec.priority, s.agingStepMs);
      args[at++] = record;
    }
    args[at] = announceOn;
    // per task: id, state, created (one flat list)
    const reply = await inStore(this.scripts.run<(string | number)[]>('submit', args));
    await this.confirmReplicated();
    const outcomes: SubmitOutcome[] = new Array(specs.length);
    for (let i = 0; i < specs.length; i++) {
      const k = i * 3;
      outcomes[i] = {
        id: reply[k] as string,
        state: reply[k + 1] as TaskState,
        created: reply[k + 2] === 1,
      };
    }
    // the task the script's announcement names (its position, 1-based; 0 or absent: none)
    const announced = Number(reply[specs.length * 3] ?? 0);
    if (!(announced > 0)) return { outcomes };
    const record = args[FIRST_TASK_ARG + (announced - 1) * ARGS_PER_TASK + RECORD_ARG] as string;
    const head: SubmittedHead = {
      id: outcomes[announced - 1].id,
      type: specs[announced - 1].type,
      header: headerLineOf(record),
    };
    return { outcomes, head };
  }

  /**
   * Under SUBMIT_DURABILITY=replicas:N, waits until N replicas have this connection's writes
   * (WAIT). Not confirmed → 503: the primary has the tasks and runs them, but a failover now
   * could lose them; the caller resubmits with the same idempotency key.
   */
  private async confirmReplicated(): Promise<void> {
    const replicas = this.settings.submitDurability ?? 0;
    if (replicas === 0) return;
    const waitMs = this.settings.submitWaitMs ?? 1000;
    // the keyed EXISTS routes the pipeline to the primary of our slot in cluster mode (WAIT has no key)
    const replies = await inStore(
      this.redis.pipeline().exists(this.keys.epoch).wait(replicas, waitMs).exec(),
    );
    const [err, acked] = replies?.[1] ?? [new Error('no reply to WAIT'), 0];
    if (err) throw new StoreUnavailableError(err.message);
    if (Number(acked) < replicas) {
      throw new StoreUnavailableError(
        `the submit reached the primary but only ${String(acked)} of ${replicas} replica(s) confirmed it within ` +
          `${waitMs} ms (SUBMIT_DURABILITY); submit again with the same idempotencyKey`,
      );
    }
  }
}
