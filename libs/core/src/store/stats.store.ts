import type { Redis } from 'ioredis';
import { decodeTaskHeader } from '../task/task-header-codec';
import type { Keyspace } from './keyspace';
import { inStore } from './redis-errors';

/** Bytes read per sampled record: enough for any header we write, never a whole payload. */
const HEADER_PROBE_BYTES = 4096;

export interface IndexSizes {
  delayed: number;
  blocked: number;
  failed: number;
}

/** The priority in a record's header (the part before the first newline), if it is one. */
function priorityOf(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const nl = raw.indexOf('\n');
  if (nl < 0) return undefined;
  try {
    const pr = decodeTaskHeader(raw.slice(0, nl)).pr;
    return typeof pr === 'number' ? pr : undefined;
  } catch {
    return undefined;
  }
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
   * Priorities of the first `limit` tasks of each ready queue, by a bounded read of their
   * headers: two pipelined round trips whatever the number of types. Returns type → priority →
   * count; tasks beyond the sample are not counted.
   */
  async queuePriorities(
    types: readonly string[],
    limit: number,
  ): Promise<Map<string, Map<number, number>>> {
    const result = new Map<string, Map<number, number>>();
    if (types.length === 0 || limit <= 0) return result;
    const heads = this.redis.pipeline();
    for (const type of types) heads.zrange(this.keys.queue(type), 0, limit - 1);
    const idLists = ((await inStore(heads.exec())) ?? []).map(([, ids]) =>
      Array.isArray(ids) ? (ids as string[]) : [],
    );
    const probes = this.redis.pipeline();
    idLists.forEach((ids) =>
      ids.forEach((id) => probes.getrange(this.keys.task(id), 0, HEADER_PROBE_BYTES - 1)),
    );
    const headers = (await inStore(probes.exec())) ?? [];
    let at = 0;
    types.forEach((type, i) => {
      const counts = new Map<number, number>();
      for (let n = 0; n < idLists[i].length; n++) {
        const pr = priorityOf(headers[at++]?.[1]);
        if (pr !== undefined) counts.set(pr, (counts.get(pr) ?? 0) + 1);
      }
      result.set(type, counts);
    });
    return result;
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
