import type { Redis } from 'ioredis';
import { InvalidInputError, TaskNotFoundError } from '../errors/switchyard.error';
import { stateOfRecord } from '../task/task-header-codec';
import { decodeTaskRecord, toTaskView } from '../task/task-record';
import type { TaskStateView, TaskView } from '../task/task.model';
import type { Keyspace } from './keyspace';
import type { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';
import { decodeCursor, encodeCursor } from './task-cursor';
import type { QueueHead, TaskListQuery, TaskPage } from './task-store.types';

/** Reads of tasks, their indexes and counts; none of them changes anything. */
export class TaskReadStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    private readonly scripts: LuaScripts,
  ) {}

  async get(id: string): Promise<TaskView> {
    const raw = await inStore(this.redis.get(this.keys.task(id)));
    if (raw === null) throw new TaskNotFoundError(id);
    return toTaskView(id, decodeTaskRecord(raw));
  }

  /** Views of several tasks; missing ones are left out. */
  async getMany(ids: readonly string[]): Promise<TaskView[]> {
    if (ids.length === 0) return [];
    const raws = await inStore(this.redis.mget(this.taskKeys(ids)));
    const views: TaskView[] = [];
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i];
      if (raw !== null) views.push(toTaskView(ids[i], decodeTaskRecord(raw)));
    }
    return views;
  }

  /**
   * The states of several tasks (missing ones left out). The records come as bytes and only
   * their state code is read: no text is decoded, no view built.
   */
  async getStates(ids: readonly string[]): Promise<TaskStateView[]> {
    if (ids.length === 0) return [];
    const raws = await inStore(this.redis.mgetBuffer(this.taskKeys(ids)));
    const states: TaskStateView[] = [];
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i];
      if (raw !== null) states.push({ id: ids[i], state: stateOfRecord(raw) });
    }
    return states;
  }

  private taskKeys(ids: readonly string[]): string[] {
    const keys: string[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = this.keys.task(ids[i]);
    return keys;
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

  /** Task ids leased to a node (any state), oldest lease first, for its recovery read. */
  async leasedTo(nodeId: string): Promise<string[]> {
    // the set holds the newest lease first (Keyspace.nodeLeases)
    return inStore(this.redis.zrevrange(this.keys.nodeLeases(nodeId), 0, -1));
  }
}
