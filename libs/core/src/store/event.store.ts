import type { Redis } from 'ioredis';
import type { StreamEntry } from '../events/change-event';
import type { Keyspace } from './keyspace';
import { inStore } from './redis-errors';

type RawEntry = [id: string, fields: string[]];

function toEntries(raw: RawEntry[] | null): StreamEntry[] {
  return (raw ?? []).map(([id, fields]) => {
    const at = fields.indexOf('e');
    return { id, body: at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? '[]') : '[]' };
  });
}

/**
 * Reads the change-event stream the scripts append to. Blocking reads (`follow`) need a
 * connection of their own: give this store a dedicated one when you follow.
 */
export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Up to `count` entries strictly after `afterId` ('0-0' = from the start). */
  async after(afterId: string, count: number): Promise<StreamEntry[]> {
    const raw = await inStore(
      this.redis.xrange(this.keys.events, `(${afterId}`, '+', 'COUNT', count),
    );
    return toEntries(raw as RawEntry[]);
  }

  /** Up to `count` entries from `startId` on, inclusive. */
  async from(startId: string, count: number): Promise<StreamEntry[]> {
    const raw = await inStore(this.redis.xrange(this.keys.events, startId, '+', 'COUNT', count));
    return toEntries(raw as RawEntry[]);
  }

  /** Waits up to `blockMs` for entries after `afterId`. */
  async follow(afterId: string, count: number, blockMs: number): Promise<StreamEntry[]> {
    const reply = (await inStore(
      this.redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.keys.events, afterId),
    )) as [string, RawEntry[]][] | null;
    return reply === null ? [] : toEntries(reply[0][1]);
  }

  /** Id of the newest entry, '0-0' when the stream is empty. */
  async lastId(): Promise<string> {
    const raw = (await inStore(
      this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', 1),
    )) as RawEntry[];
    return raw.length > 0 ? raw[0][0] : '0-0';
  }

  /** Id of the oldest entry still kept, null when the stream is empty. */
  async firstId(): Promise<string | null> {
    const raw = (await inStore(
      this.redis.xrange(this.keys.events, '-', '+', 'COUNT', 1),
    )) as RawEntry[];
    return raw.length > 0 ? raw[0][0] : null;
  }
}
