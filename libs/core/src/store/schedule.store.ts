import type { Redis } from 'ioredis';
import type { ScheduleDefinition, ScheduleView } from '../schedule/schedule.model';
import { queueScore } from '../task/queue-score';
import { newTaskId } from '../task/task-id';
import { encodeTaskRecord, newTaskHeader } from '../task/task-record';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';

export interface ScheduleStoreSettings {
  agingStepMs: number;
  maxQueuedPerType: number;
  maxSchedules: number;
}

export type FireOutcome = 'fired' | 'duplicate' | 'skipped' | 'full' | 'moved';

export interface FireRequest {
  schedule: ScheduleDefinition;
  /** The due time the caller read; the schedule moves on only from it. */
  due: number;
  next: number;
  /** The tick to fire, or null to pass over (missed ticks under `skip`). */
  tick: number | null;
}

/** Recurring schedules in Redis: definitions, the due index, and the one-fire-per-tick step. */
export class ScheduleStore {
  private readonly scripts: LuaScripts;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly settings: ScheduleStoreSettings,
  ) {
    this.scripts = new LuaScripts(redis, keys.base);
  }

  async create(def: ScheduleDefinition, firstDue: number): Promise<void> {
    await inStore(
      this.scripts.run('scheduleSave', [
        def.id,
        JSON.stringify(def),
        firstDue,
        this.settings.maxSchedules,
      ]),
    );
  }

  /** Removes a schedule; false when there was none. Ticks already fired stay fired. */
  async delete(id: string): Promise<boolean> {
    const replies = await inStore(
      this.redis.multi().del(this.keys.schedule(id)).zrem(this.keys.scheduleDue, id).exec(),
    );
    return Number(replies?.[0]?.[1] ?? 0) > 0;
  }

  async list(): Promise<ScheduleView[]> {
    const due = await inStore(
      this.redis.zrange(this.keys.scheduleDue, 0, this.settings.maxSchedules - 1, 'WITHSCORES'),
    );
    const ids: string[] = [];
    const nextAt = new Map<string, number>();
    for (let i = 0; i < due.length; i += 2) {
      ids.push(due[i]);
      nextAt.set(due[i], Number(due[i + 1]));
    }
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.schedule(id));
    const replies = (await inStore(pipeline.exec())) ?? [];
    const views: ScheduleView[] = [];
    ids.forEach((id, i) => {
      const f = replies[i][1] as Record<string, string> | null;
      if (!f || f.def === undefined) return;
      views.push({
        ...(JSON.parse(f.def) as ScheduleDefinition),
        nextAt: nextAt.get(id) as number,
        ...(f.lt !== undefined && { lastTick: Number(f.lt) }),
        ...(f.lk !== undefined && { lastTaskId: f.lk }),
        fired: Number(f.fired ?? 0),
      });
    });
    return views.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Schedules due at `now` (at most `limit`), with the due time read. */
  async due(now: number, limit: number): Promise<{ schedule: ScheduleDefinition; due: number }[]> {
    const due = await inStore(
      this.redis.zrangebyscore(this.keys.scheduleDue, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit),
    );
    if (due.length === 0) return [];
    const ids = due.filter((_, i) => i % 2 === 0);
    const defs = await inStore(
      this.redis.pipeline(ids.map((id) => ['hget', this.keys.schedule(id), 'def'])).exec(),
    );
    const out: { schedule: ScheduleDefinition; due: number }[] = [];
    ids.forEach((_, i) => {
      const def = defs?.[i]?.[1] as string | null;
      if (def)
        out.push({ schedule: JSON.parse(def) as ScheduleDefinition, due: Number(due[i * 2 + 1]) });
    });
    return out;
  }

  /** Fires one tick (or passes over missed ones) and moves the schedule on, atomically, under the leader lease. */
  async fire(
    leaseValue: string,
    req: FireRequest,
    now = Date.now(),
  ): Promise<{ outcome: FireOutcome; taskId?: string }> {
    const s = req.schedule;
    const id = newTaskId(now);
    const spec = { ...s.task };
    const header = newTaskHeader(spec, 'queued', now);
    if (req.tick !== null) header.sch = { i: s.id, t: req.tick };
    const record = encodeTaskRecord(header, JSON.stringify(spec.payload ?? null));
    const interval = s.everyMs ?? Math.max(1000, req.next - (req.tick ?? req.due));
    const ttl = Math.min(86_400_000, Math.max(60_000, 2 * interval));
    const [outcome, taskId] = await inStore(
      this.scripts.run<[FireOutcome, string]>('fireSchedule', [
        leaseValue,
        now,
        s.id,
        req.due,
        req.next,
        req.tick === null ? '' : req.tick,
        ttl,
        this.settings.maxQueuedPerType,
        id,
        spec.type,
        queueScore(now, spec.priority, this.settings.agingStepMs),
        record,
      ]),
    );
    return { outcome, ...(taskId !== '' && { taskId }) };
  }
}
