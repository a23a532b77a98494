import type { Redis } from 'ioredis';
import { InvalidInputError, TaskNotFoundError } from '../errors/switchyard.error';
import { newTaskId } from '../task/task-id';
import { decodeTaskHeader, NewTaskHeaders } from '../task/task-header-codec';
import { decodeTaskRecord, encodeNewTaskRecord, toTaskView } from '../task/task-record';
import type { TypeLimit } from '../config/config.schema';
import { queueScore } from '../task/queue-score';
import type { TaskState } from '../task/task-state';
import type { RetryPolicy, SubmitOutcome, TaskSpec, TaskView } from '../task/task.model';
import type { Keyspace } from './keyspace';
import { LuaScripts, type ScriptArg } from './lua-scripts';
import type { AssignedTask } from '../messaging/messages';
import {
  decodeRefill,
  pushHeadsAsked,
  pushStandbyHints,
  type HeadsAhead,
  type StandbyHints,
} from './standby-hints';
import { inStore } from './redis-errors';
import { decodeCursor, encodeCursor } from './task-cursor';
export * from './task-store.types';
import type {
  AssignmentAnnouncement,
  AssignmentDecision,
  AssignmentResult,
  CancelOutcome,
  FinishOutcome,
  FinishReport,
  HeadsInFlight,
  HeadsSnapshot,
  ProgressReport,
  QueueHead,
  ReclaimedTask,
  RetryOutcome,
  StartReport,
  TaskListQuery,
  TaskPage,
  TaskStoreSettings,
  TypeLoad,
} from './task-store.types';
import { StoreUnavailableError } from '../errors/switchyard.error';

const policyTexts = new WeakMap<RetryPolicy, string>();

/**
 * finish.lua's policy argument up to its random part ("backoff,base,cap,jitter,"): callers
 * reuse a policy object per type, so its text is made once, not four number conversions per task.
 */
function policyText(p: RetryPolicy): string {
  let text = policyTexts.get(p);
  if (text === undefined) {
    text = `${p.backoff},${p.baseMs},${p.capMs},${p.jitter},`;
    policyTexts.set(p, text);
  }
  return text;
}

/** All task reads and writes. Every state change is one Lua script (see scripts/). */
export class TaskStore {
  private readonly scripts: LuaScripts;
  private readonly submitScripts: LuaScripts;

  /**
   * `submitRedis`: a connection of its own for submits under SUBMIT_DURABILITY, because WAIT
   * blocks the connection it runs on and must not hold up heartbeats or the leader lease.
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly settings: TaskStoreSettings,
    private readonly submitRedis: Redis = redis,
  ) {
    this.scripts = new LuaScripts(redis, keys.base);
    this.submitScripts =
      submitRedis === redis ? this.scripts : new LuaScripts(submitRedis, keys.base);
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
    const s = this.settings;
    // sized once: 7 settings, 6 per task, the channel (pushing 6,000 values grew it a dozen times)
    const args: ScriptArg[] = new Array<ScriptArg>(8 + specs.length * 6);
    args[0] = now;
    args[1] = s.idempotencyTtlMs;
    args[2] = s.maxQueuedPerType;
    args[3] = s.agingStepMs;
    args[4] = s.failedCap;
    args[5] = s.maxDependents;
    args[6] = specs.length;
    const headers = new NewTaskHeaders();
    let at = 7;
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
    const reply = await inStore(this.submitScripts.run<(string | number)[]>('submit', args));
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
    return outcomes;
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
      this.submitRedis.pipeline().exists(this.keys.epoch).wait(replicas, waitMs).exec(),
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

  async get(id: string): Promise<TaskView> {
    const raw = await inStore(this.redis.get(this.keys.task(id)));
    if (raw === null) throw new TaskNotFoundError(id);
    return toTaskView(id, decodeTaskRecord(raw));
  }

  /** Views of several tasks; missing ones are left out. */
  async getMany(ids: readonly string[]): Promise<TaskView[]> {
    if (ids.length === 0) return [];
    const keys: string[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = this.keys.task(ids[i]);
    const raws = await inStore(this.redis.mget(keys));
    const views: TaskView[] = [];
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i];
      if (raw !== null) views.push(toTaskView(ids[i], decodeTaskRecord(raw)));
    }
    return views;
  }

  /**
   * One tick's read: promotes due delayed tasks, returns queue depths and the heads asked for.
   * `ahead`: per type, how many more heads to return for standby hints, past the first `limits`
   * and past the ids in `skip` (the hints the leader already holds). `inFlight`: per type, the
   * heads a commit still in flight takes (a read sent ahead of it); see HeadsInFlight.
   */
  async readHeads(
    limits: ReadonlyMap<string, number>,
    opts: { maxPromotions: number; maxTypes: number },
    now = Date.now(),
    ahead?: HeadsAhead,
    inFlight?: ReadonlyMap<string, HeadsInFlight>,
  ): Promise<HeadsSnapshot> {
    const args: ScriptArg[] = [
      now,
      this.settings.agingStepMs,
      opts.maxPromotions,
      opts.maxTypes,
      0,
    ];
    let m = 0;
    for (const [type, limit] of limits) {
      m++;
      pushHeadsAsked(args, type, limit, ahead, inFlight?.get(type));
    }
    if (ahead !== undefined) {
      for (const type of ahead.room.keys()) {
        if (limits.has(type)) continue;
        m++;
        pushHeadsAsked(args, type, 0, ahead, undefined);
      }
    }
    args[4] = m;
    const [promoted, nextDue, depthList, headList, nodesVersion, resolving] = await inStore(
      this.scripts.run<[number, string, (string | number)[], string[], number, number]>(
        'readHeads',
        args,
      ),
    );
    const depths = new Map<string, number>();
    for (let i = 0; i < depthList.length; i += 2)
      depths.set(String(depthList[i]), Number(depthList[i + 1]));
    const heads: QueueHead[] = [];
    for (let i = 0; i < headList.length; i += 3) {
      heads.push({
        type: headList[i],
        id: headList[i + 1],
        header: decodeTaskHeader(headList[i + 2]),
      });
    }
    return {
      promoted,
      nextDueAt: nextDue === '' ? null : Number(nextDue),
      depths,
      heads,
      nodesVersion,
      resolving: Number(resolving ?? 0),
    };
  }

  /**
   * The leader settles dependents of finished tasks (at most `budget` of them in one atomic
   * step). Returns how many it settled and how many finished tasks still have some waiting.
   */
  async resolveDependents(
    budget: number,
    now = Date.now(),
  ): Promise<{ settled: number; pending: number }> {
    const s = this.settings;
    const [settled, pending] = await inStore(
      this.scripts.run<[number, number]>('resolveDeps', [now, s.agingStepMs, s.failedCap, budget]),
    );
    return { settled, pending };
  }

  /** Leases held and starts this second of each type with a cluster-wide limit. */
  async typeLoad(types: readonly string[], now = Date.now()): Promise<Map<string, TypeLoad>> {
    const load = new Map<string, TypeLoad>();
    if (types.length === 0) return load;
    const reply = await inStore(
      this.scripts.run<[number, number][]>('typeLoad', [now, types.length, ...types]),
    );
    types.forEach((type, i) =>
      load.set(type, { running: reply[i][0], startsThisSecond: reply[i][1] }),
    );
    return load;
  }

  /**
   * Commits assignment decisions under the leader lease; throws NotLeaderError if it is not
   * ours. `limits` are the TYPE_LIMITS of the decided types, re-checked atomically. With
   * `announce`, the script publishes each node's node.assigned message itself.
   */
  async assign(
    leaseValue: string,
    decisions: readonly AssignmentDecision[],
    now = Date.now(),
    limits: ReadonlyMap<string, TypeLimit> = new Map(),
    announce?: AssignmentAnnouncement,
  ): Promise<AssignmentResult[]> {
    return (await this.assignAndHint(leaseValue, decisions, now, limits, announce)).results;
  }

  /**
   * assign() that also writes standby hints (STANDBY_ASSIGNMENTS) in the same call: queued tasks
   * each node takes in its finish call when it frees capacity (finishAndRefill). `hinted[i]`:
   * whether `standby.hints[i]` was written.
   */
  async assignAndHint(
    leaseValue: string,
    decisions: readonly AssignmentDecision[],
    now = Date.now(),
    limits: ReadonlyMap<string, TypeLimit> = new Map(),
    announce?: AssignmentAnnouncement,
    standby?: StandbyHints,
  ): Promise<{ results: AssignmentResult[]; hinted: boolean[] }> {
    const args: ScriptArg[] = [leaseValue, now, this.settings.leaseGraceMs, decisions.length];
    for (const d of decisions) args.push(d.taskId, d.nodeId, d.incarnation);
    args.push(limits.size);
    for (const [type, l] of limits) args.push(type, l.maxRunning ?? 0, l.maxStartsPerSecond ?? 0);
    args.push(announce?.channelBase ?? '', announce?.maxBytes ?? 0);
    if (standby !== undefined) pushStandbyHints(args, standby);
    const reply = await inStore(this.scripts.run<(string | number)[][]>('assign', args));
    const results = new Array<AssignmentResult>(decisions.length);
    for (let i = 0; i < decisions.length; i++) {
      const r = reply[i];
      const d = decisions[i];
      results[i] =
        r[0] === 1
          ? {
              ok: true,
              taskId: d.taskId,
              nodeId: d.nodeId,
              incarnation: d.incarnation,
              lease: Number(r[1]),
              attempt: Number(r[2]),
              announced: r[3] === 1,
            }
          : { ok: false, taskId: d.taskId, nodeId: d.nodeId, reason: String(r[1]) };
    }
    const flags = reply[decisions.length] ?? [];
    return { results, hinted: (standby?.hints ?? []).map((_, i) => flags[i] === 1) };
  }

  async start(
    nodeId: string,
    incarnation: number,
    reports: readonly StartReport[],
  ): Promise<string[]> {
    const args: ScriptArg[] = [nodeId, incarnation, reports.length];
    for (const r of reports) args.push(r.taskId, r.lease, r.startedAt);
    return inStore(this.scripts.run<string[]>('start', args));
  }

  /** Latest progress of running tasks under their leases; stale ones are ignored ('stale'). */
  async progress(
    nodeId: string,
    incarnation: number,
    reports: readonly ProgressReport[],
  ): Promise<string[]> {
    const args: ScriptArg[] = [nodeId, incarnation, reports.length];
    for (const r of reports) args.push(r.taskId, r.lease, r.percent, r.dataJson ?? '');
    return inStore(this.scripts.run<string[]>('progress', args));
  }

  /**
   * Records outcomes. `announceOn`: the tasks.finished channel; the script publishes the
   * announcement itself (outcomes and freed capacity as committed), in the same call.
   */
  async finish(
    nodeId: string,
    incarnation: number,
    reports: readonly FinishReport[],
    now = Date.now(),
    announceOn = '',
  ): Promise<FinishOutcome[]> {
    const reply = await this.finishAndRefill(nodeId, incarnation, reports, now, announceOn, false);
    return reply.outcomes;
  }

  /**
   * finish() that then (with `takeHints`) leases the node's standby hints that still hold, in the
   * same call, and returns those tasks (as a node.assigned message carries them) for the worker
   * to run now.
   */
  async finishAndRefill(
    nodeId: string,
    incarnation: number,
    reports: readonly FinishReport[],
    now = Date.now(),
    announceOn = '',
    takeHints = true,
  ): Promise<{ outcomes: FinishOutcome[]; assigned: AssignedTask[] }> {
    const args = this.finishArgs(nodeId, incarnation, reports, now, announceOn);
    if (takeHints) args.push(this.settings.leaseGraceMs);
    const reply = await inStore(this.scripts.run<(string | string[])[]>('finish', args));
    return {
      outcomes: reply.slice(0, reports.length) as FinishOutcome[],
      assigned: takeHints ? decodeRefill(reply[reports.length]) : [],
    };
  }

  private finishArgs(
    nodeId: string,
    incarnation: number,
    reports: readonly FinishReport[],
    now: number,
    announceOn: string,
  ): ScriptArg[] {
    const s = this.settings;
    const args: ScriptArg[] = [
      now,
      nodeId,
      incarnation,
      s.agingStepMs,
      s.finishedRetentionMs,
      s.finishedListCap,
      s.failedCap,
      reports.length,
    ];
    for (const r of reports) {
      const body =
        r.error === undefined
          ? (r.resultJson ?? 'null')
          : JSON.stringify({ m: r.error.message, c: r.error.code, r: r.error.retryable });
      args.push(
        r.taskId,
        r.lease,
        r.error === undefined ? 'ok' : 'error',
        r.startedAt,
        body,
        // read by the script only to delay a retry
        r.error === undefined ? '' : policyText(r.retry) + String(r.random),
      );
    }
    args.push(announceOn);
    return args;
  }

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

  /**
   * The leader takes back tasks whose lease deadline passed (timeout + grace), even on a node
   * that still heartbeats. Throws NotLeaderError when the lease value is not current.
   */
  async reclaimExpired(
    leaseValue: string,
    most: number,
    now = Date.now(),
  ): Promise<ReclaimedTask[]> {
    const s = this.settings;
    const reply = await inStore(
      this.scripts.run<(string | number)[]>('reclaimExpired', [
        leaseValue,
        now,
        s.agingStepMs,
        s.failedCap,
        most,
      ]),
    );
    const out: ReclaimedTask[] = [];
    for (let i = 0; i < reply.length; i += 4) {
      out.push({
        node: String(reply[i]),
        taskId: String(reply[i + 1]),
        lease: Number(reply[i + 2]),
        outcome: reply[i + 3] === 'failed' ? 'failed' : 'queued',
      });
    }
    return out;
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

  /**
   * One page of tasks in a state, from that state's index: failed newest first, delayed by due
   * time, queued (of one type) in queue order, succeeded/cancelled from the recent-finished list
   * (a page of those may hold fewer than `limit`: the list mixes both states).
   */
  async list(query: TaskListQuery): Promise<TaskPage> {
    const [index, order] = this.indexOf(query);
    const [cursorId, cursorScore] =
      query.cursor === undefined ? ['', ''] : decodeCursor(query.cursor);
    const [flat, more] = await inStore(
      this.scripts.run<[string[], number]>('pageIndex', [
        index,
        order,
        cursorId,
        cursorScore,
        query.limit,
      ]),
    );
    const ids: string[] = [];
    for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]);
    const views = (await this.getMany(ids)).filter((v) => v.state === query.state);
    const last =
      flat.length >= 2 ? encodeCursor(flat[flat.length - 2], flat[flat.length - 1]) : null;
    return { tasks: views, nextCursor: more === 1 ? last : null };
  }

  private indexOf(query: TaskListQuery): [string, 'asc' | 'desc' | 'list'] {
    switch (query.state) {
      case 'failed':
        return ['failed', 'desc'];
      case 'delayed':
        return ['delayed', 'asc'];
      case 'queued':
        if (query.type === undefined)
          throw new InvalidInputError('state=queued needs a type: each type has its own queue');
        return [`q:${query.type}`, 'asc'];
      default:
        return ['done', 'list'];
    }
  }

  /**
   * Counts for /stats: ready-queue depth per type (up to `maxTypes` types), tasks delayed,
   * blocked and failed, and the cluster counters.
   */
  async queueCounts(maxTypes: number): Promise<{
    depths: Map<string, number>;
    delayed: number;
    blocked: number;
    failed: number;
    counters: Record<string, number>;
  }> {
    const types = await inStore(this.redis.srandmember(this.keys.queueTypes, maxTypes));
    const pipeline = this.redis.pipeline();
    for (const type of types) pipeline.zcard(this.keys.queue(type));
    pipeline
      .zcard(this.keys.delayed)
      .scard(this.keys.blocked)
      .zcard(this.keys.failed)
      .hgetall(this.keys.counters);
    const replies = ((await inStore(pipeline.exec())) ?? []).map((r) => r[1]);
    const depths = new Map<string, number>();
    types.forEach((type, i) => {
      if (Number(replies[i]) > 0) depths.set(type, Number(replies[i]));
    });
    const [delayed, blocked, failed, raw] = replies.slice(types.length) as [
      number,
      number,
      number,
      Record<string, string>,
    ];
    const counters: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw ?? {})) counters[k] = Number(v);
    return { depths, delayed, blocked, failed, counters };
  }

  /** Headers of the first `limit` ready tasks of a type, in queue order. */
  async queueHeads(type: string, limit: number): Promise<QueueHead[]> {
    const ids = await inStore(this.redis.zrange(this.keys.queue(type), 0, limit - 1));
    if (ids.length === 0) return [];
    const raws = await inStore(this.redis.mget(...ids.map((id) => this.keys.task(id))));
    const heads: QueueHead[] = [];
    raws.forEach((raw, i) => {
      if (raw !== null) heads.push({ type, id: ids[i], header: decodeTaskRecord(raw).header });
    });
    return heads;
  }

  /** Task ids leased to a node (any state), for its recovery read. */
  async leasedTo(nodeId: string): Promise<string[]> {
    return inStore(this.redis.zrange(this.keys.nodeLeases(nodeId), 0, -1));
  }
}
