import type { TypeLimit } from '../config/task-type.variables';
import { decodeTaskHeader } from '../task/task-header-codec';
import { headerLineOf } from '../task/task-record';
import type { LuaScripts, ScriptArg } from './lua-scripts';
import { inStore } from './redis-errors';
import {
  pushHeadsAsked,
  pushStandbyHints,
  type HeadsAhead,
  type StandbyHints,
} from './standby-hints';
import type {
  AssignmentAnnouncement,
  AssignmentDecision,
  AssignmentResult,
  HeadsInFlight,
  HeadsSnapshot,
  QueueHead,
  ReclaimedTask,
  TaskStoreSettings,
  TypeLoad,
} from './task-store.types';

/**
 * The leader's task calls: its pass (read the heads, the load of limited types, commit the
 * assignments, settle dependents) and taking back tasks whose lease ran out.
 */
export class TaskSchedulingStore {
  constructor(
    private readonly scripts: LuaScripts,
    private readonly settings: TaskStoreSettings,
  ) {}

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
      // a small record comes whole (read-heads.lua): its header is the first line
      heads.push({
        type: headList[i],
        id: headList[i + 1],
        header: decodeTaskHeader(headerLineOf(headList[i + 2])),
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
   * whether `standby.hints[i]` was written. `mustLead`: decisions made without reading the queue
   * commit only while each task leads its queue (past the ones this call took); reason `order`.
   */
  async assignAndHint(
    leaseValue: string,
    decisions: readonly AssignmentDecision[],
    now = Date.now(),
    limits: ReadonlyMap<string, TypeLimit> = new Map(),
    announce?: AssignmentAnnouncement,
    standby?: StandbyHints,
    mustLead = false,
  ): Promise<{ results: AssignmentResult[]; hinted: boolean[]; resolving?: number }> {
    const args: ScriptArg[] = [leaseValue, now, this.settings.leaseGraceMs, decisions.length];
    for (const d of decisions) args.push(d.taskId, d.nodeId, d.incarnation);
    args.push(limits.size);
    for (const [type, l] of limits) args.push(type, l.maxRunning ?? 0, l.maxStartsPerSecond ?? 0);
    args.push(announce?.channelBase ?? '', announce?.maxBytes ?? 0);
    if (standby !== undefined) pushStandbyHints(args, standby);
    if (mustLead) {
      if (standby === undefined) args.push(0, 1, 0); // no hints
      args.push('1');
    }
    // flat: lease (0 when skipped), attempt or reason, announced; then the hint flags
    const reply = await inStore(this.scripts.run<(string | number | number[])[]>('assign', args));
    const results = new Array<AssignmentResult>(decisions.length);
    for (let i = 0, o = 0; i < decisions.length; i++, o += 3) {
      const d = decisions[i];
      results[i] =
        reply[o] !== 0
          ? {
              ok: true,
              taskId: d.taskId,
              nodeId: d.nodeId,
              incarnation: d.incarnation,
              lease: Number(reply[o]),
              attempt: Number(reply[o + 1]),
              announced: reply[o + 2] === 1,
            }
          : { ok: false, taskId: d.taskId, nodeId: d.nodeId, reason: String(reply[o + 1]) };
    }
    const flags = (reply[decisions.length * 3] as number[] | undefined) ?? [];
    const hinted = (standby?.hints ?? []).map((_, i) => flags[i] === 1);
    if (!mustLead) return { results, hinted };
    return { results, hinted, resolving: Number(reply[decisions.length * 3 + 1] ?? 0) };
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
}
