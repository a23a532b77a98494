import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  compareStreamIds,
  createRedis,
  decodeEntry,
  EventStore,
  isAfter,
  Keyspace,
  SWITCHYARD_CONFIG,
  type ChangeEvent,
  type EventCursor,
  type StreamEntry,
  type SwitchyardConfig,
} from '@switchyard/core';
import type { Redis } from 'ioredis';

const PAGE = 500;
const BLOCK_MS = 2000;
const RETRY_MS = 500;

/** One GET /events client, as the feed sees it. */
export interface EventSink {
  /** Is this event wanted (filters)? */
  wants(event: ChangeEvent): boolean;
  /** Writes events; false when the client cannot keep up and must be dropped. */
  write(events: ChangeEvent[]): boolean;
  /** The stream no longer holds everything after the client's Last-Event-ID. */
  gap(oldestKept: string): void;
  close(): void;
}

interface Subscriber {
  sink: EventSink;
  cursor: EventCursor;
  catchingUp: boolean;
}

/**
 * Fans the change-event stream out to SSE clients. One follower per dispatcher reads new
 * entries with a blocking XREAD on its own connection (started with the first client, idle
 * without clients); a client that resumes from Last-Event-ID first pages through the stream
 * from there, then joins the live feed. Each client keeps a cursor, so an entry seen both ways
 * is written once and none is skipped.
 */
@Injectable()
export class EventFeed implements OnApplicationShutdown {
  private readonly logger = new Logger(EventFeed.name);
  private readonly subscribers = new Set<Subscriber>();
  private follower: { redis: Redis; store: EventStore } | undefined;
  /** Last stream id the follower has handed out; null while it does not run. */
  private position: string | null = null;
  private following: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly events: EventStore,
    private readonly keys: Keyspace,
    @Inject(SWITCHYARD_CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  get clients(): number {
    return this.subscribers.size;
  }

  get full(): boolean {
    return this.subscribers.size >= this.config.eventsMaxClients;
  }

  /** The position right now: a client starting here gets every change committed from now on. */
  async now(): Promise<EventCursor> {
    const entryId = this.position ?? (await this.events.lastId());
    return { entryId, index: Number.MAX_SAFE_INTEGER };
  }

  /** Adds a client that has seen everything up to `after` (see now()). Returns an unsubscribe. */
  async subscribe(sink: EventSink, after: EventCursor, resumed: boolean): Promise<() => void> {
    const sub: Subscriber = { sink, cursor: after, catchingUp: true };
    this.subscribers.add(sub);
    const unsubscribe = (): void => {
      this.subscribers.delete(sub);
    };
    this.startFollower(this.position ?? (await this.events.lastId()));
    if (resumed) await this.reportGap(sub, after);
    void this.catchUp(sub).catch((err: unknown) => {
      this.logger.warn(`event catch-up failed: ${(err as Error).message}`);
      this.drop(sub);
    });
    return unsubscribe;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const sub of this.subscribers) sub.sink.close();
    this.subscribers.clear();
    // a blocking XREAD would hold QUIT back: drop the socket
    this.follower?.redis.disconnect();
    await this.following;
  }

  private async reportGap(sub: Subscriber, after: EventCursor): Promise<void> {
    const oldest = await this.events.firstId();
    if (oldest !== null && after.entryId !== '0-0' && compareStreamIds(oldest, after.entryId) > 0)
      sub.sink.gap(oldest);
  }

  /** Pages from the client's cursor until it reaches what the live follower hands out. */
  private async catchUp(sub: Subscriber): Promise<void> {
    for (;;) {
      if (!this.subscribers.has(sub)) return;
      // inclusive start: the cursor may sit inside a batch entry
      const entries = await this.events.from(sub.cursor.entryId, PAGE);
      if (!this.deliver(sub, entries)) return;
      const live = this.position;
      if (
        entries.length < PAGE &&
        live !== null &&
        compareStreamIds(sub.cursor.entryId, live) >= 0
      ) {
        sub.catchingUp = false;
        return;
      }
      if (entries.length < PAGE && live === null) {
        sub.catchingUp = false;
        return;
      }
    }
  }

  /** Writes the wanted events of `entries` past the cursor; false if the client was dropped. */
  private deliver(sub: Subscriber, entries: readonly StreamEntry[]): boolean {
    const out: ChangeEvent[] = [];
    for (const entry of entries) {
      decodeEntry(entry).forEach((event, index) => {
        if (isAfter(sub.cursor, entry.id, index) && sub.sink.wants(event)) out.push(event);
      });
      if (compareStreamIds(entry.id, sub.cursor.entryId) >= 0) {
        sub.cursor = { entryId: entry.id, index: Number.MAX_SAFE_INTEGER };
      }
    }
    if (out.length > 0 && !sub.sink.write(out)) {
      this.drop(sub);
      return false;
    }
    return true;
  }

  private drop(sub: Subscriber): void {
    this.subscribers.delete(sub);
    sub.sink.close();
  }

  private startFollower(start: string): void {
    if (this.following !== undefined || this.stopped) return;
    this.position = start;
    this.follower ??= (() => {
      const redis = createRedis(this.config, 'switchyard-events');
      return { redis, store: new EventStore(redis, this.keys) };
    })();
    this.following = this.follow().finally(() => {
      this.following = undefined;
      this.position = null;
    });
  }

  private async follow(): Promise<void> {
    const follower = this.follower as { redis: Redis; store: EventStore };
    while (!this.stopped && this.subscribers.size > 0) {
      try {
        if (follower.redis.status === 'wait') await follower.redis.connect();
        const entries = await follower.store.follow(this.position as string, PAGE, BLOCK_MS);
        if (entries.length === 0) continue;
        for (const sub of [...this.subscribers]) if (!sub.catchingUp) this.deliver(sub, entries);
        this.position = entries[entries.length - 1].id;
      } catch (err) {
        if (this.stopped) return;
        this.logger.debug(`event follow failed: ${(err as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
    if (this.subscribers.size === 0 && this.follower !== undefined) {
      this.follower.redis.disconnect();
      this.follower = undefined;
    }
  }
}
