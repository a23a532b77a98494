import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace';
import { inStore } from './redis-errors';

/** What a dispatcher says about itself on every heartbeat. */
export interface DispatcherInfo {
  id: string;
  host: string;
  pid: number;
  /** HTTP port it listens on (0 until it listens). */
  httpPort: number;
  startedAt: number;
}

export interface DispatcherView extends DispatcherInfo {
  lastSeenAt: number;
}

/** Most dispatchers a listing returns; a registry larger than this is a misconfiguration. */
export const MAX_LISTED_DISPATCHERS = 1000;

/**
 * The dispatcher registry in Redis: one hash per dispatcher that expires with its heartbeat,
 * and a sorted set of ids by last heartbeat. Every beat prunes entries silent for longer than
 * the TTL, so a crashed dispatcher drops out without anyone cleaning up after it.
 */
export class DispatcherRegistryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async beat(info: DispatcherInfo, ttlMs: number, now = Date.now()): Promise<void> {
    const key = this.keys.dispatcher(info.id);
    await inStore(
      this.redis
        .multi()
        .hset(key, {
          id: info.id,
          host: info.host,
          pid: info.pid,
          port: info.httpPort,
          started: info.startedAt,
          seen: now,
        })
        .pexpire(key, ttlMs)
        .zadd(this.keys.dispatchers, now, info.id)
        .zremrangebyscore(this.keys.dispatchers, '-inf', `(${now - ttlMs}`)
        .exec(),
    );
  }

  /** Removes a dispatcher at once (graceful shutdown). */
  async leave(id: string): Promise<void> {
    await inStore(
      this.redis.multi().del(this.keys.dispatcher(id)).zrem(this.keys.dispatchers, id).exec(),
    );
  }

  /** Dispatchers heard from within `ttlMs`, longest-running first. */
  async list(ttlMs: number, now = Date.now()): Promise<DispatcherView[]> {
    const ids = await inStore(
      this.redis.zrangebyscore(
        this.keys.dispatchers,
        now - ttlMs,
        '+inf',
        'LIMIT',
        0,
        MAX_LISTED_DISPATCHERS,
      ),
    );
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.dispatcher(id));
    const replies = (await inStore(pipeline.exec())) ?? [];
    const views: DispatcherView[] = [];
    replies.forEach(([err, fields]) => {
      const f = fields as Record<string, string> | null;
      if (err !== null || f === null || f.id === undefined) return; // expired between the two reads
      views.push({
        id: f.id,
        host: f.host ?? '',
        pid: Number(f.pid ?? 0),
        httpPort: Number(f.port ?? 0),
        startedAt: Number(f.started ?? 0),
        lastSeenAt: Number(f.seen ?? 0),
      });
    });
    return views.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
  }
}
