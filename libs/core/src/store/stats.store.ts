import type { Redis } from 'ioredis';
import type { TaskHeader } from '../task/task-record';
import type { Keyspace } from './keyspace';
import { inStore } from './redis-errors';

/** Bytes read per sampled record: enough for any header we write, never a whole payload. */
const HEADER_PROBE_BYTES = 4096;

export interface IndexSizes {
  delayed: number;
  blocked: number;
  failed: number;
}

/** Cluster-wide numbers for metrics, health and the dashboard, read at scrape time. */
export class StatsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Round trip to Redis, in ms (health). */
  async ping(): Promise<number> {
    const t0 = process.hrtime.bigint();
    await inStore(this.redis.ping());
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }

  /** The cluster-wide counters the scripts keep (submitted, succeeded, failed, retried, cancelled, ...). */
  async counters(): Promise<Record<string, number>> {
    const raw = await inStore(this.redis.hgetall(this.keys.counters));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  /** Ready-queue depth of every type that may have queued tasks (at most `maxTypes`). */
  async queueDepths(maxTypes: number): Promise<Map<string, number>> {
    const types = (await inStore(
      this.redis.srandmember(this.keys.queueTypes, maxTypes),
    )) as string[];
    const depths = new Map<string, number>();
    if (types.length === 0) return depths;
    const pipeline = this.redis.pipeline();
    for (const type of types) pipeline.zcard(this.keys.queue(type));
    const replies = (await inStore(pipeline.exec())) ?? [];
    types.forEach((type, i) => {
      const depth = Number(replies[i]?.[1] ?? 0);
      if (depth > 0) depths.set(type, depth);
    });
    return new Map([...depths].sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * Priorities of the first `limit` tasks of a ready queue (by a bounded read of their
   * headers). Returns priority → count; tasks beyond the sample are not counted.
   */
  async queuePriorities(type: string, limit: number): Promise<Map<number, number>> {
    const ids = await inStore(this.redis.zrange(this.keys.queue(type), 0, limit - 1));
    const counts = new Map<number, number>();
    if (ids.length === 0) return counts;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.getrange(this.keys.task(id), 0, HEADER_PROBE_BYTES - 1);
    const replies = (await inStore(pipeline.exec())) ?? [];
    for (const [, raw] of replies) {
      if (typeof raw !== 'string') continue;
      const nl = raw.indexOf('\n');
      if (nl < 0) continue;
      try {
        const pr = (JSON.parse(raw.slice(0, nl)) as Pick<TaskHeader, 'pr'>).pr;
        if (typeof pr === 'number') counts.set(pr, (counts.get(pr) ?? 0) + 1);
      } catch {
        /* not a header: skip */
      }
    }
    return counts;
  }

  async indexSizes(): Promise<IndexSizes> {
    const [delayed, blocked, failed] = await inStore(
      Promise.all([
        this.redis.zcard(this.keys.delayed),
        this.redis.scard(this.keys.blocked),
        this.redis.zcard(this.keys.failed),
      ]),
    );
    return { delayed, blocked, failed };
  }
}
