import type { Redis } from 'ioredis';
import { checkBusMessage, DEFAULT_MAX_BUS_MESSAGE_BYTES } from '../messaging/bus-message-check';
import type { TasksFinishedMessage } from '../messaging/messages';
import { ChannelNaming, Patterns } from '../messaging/patterns';
import { closeRedis, connectRedis, createRedis, type RedisConfig } from '../store/redis-connection';

type Listener = (done: readonly string[]) => void;

/**
 * Ids remembered from recent messages, for a waiter that starts listening just after them: at
 * least the last RECENT_CAP, at most twice that (two generations).
 */
const RECENT_CAP = 20_000;

/**
 * The `tasks.finished` channel, heard on an own subscriber connection. A message only says
 * which tasks to read again: listeners re-read Redis before they believe it.
 */
export class FinishedFeed {
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly listeners = new Set<Listener>();
  private subscribed: Promise<void> | undefined;
  /** The newest ids; when it is full it becomes `older`, and the previous `older` is dropped. */
  private recent = new Set<string>();
  private older = new Set<string>();
  /** When the last well-formed message arrived (epoch ms; 0 = none yet). */
  lastMessageAt = 0;

  /** `redis`: a REDIS_URL, or the config (Sentinel and Cluster settings apply). */
  constructor(
    redis: string | RedisConfig,
    prefix: string,
    connectionName: string,
    private readonly maxMessageBytes = DEFAULT_MAX_BUS_MESSAGE_BYTES,
  ) {
    const config = typeof redis === 'string' ? { redisUrl: redis } : redis;
    this.sub = createRedis(config, connectionName, { enableOfflineQueue: true });
    this.channel = new ChannelNaming(prefix).channel(Patterns.TasksFinished);
    this.sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.dispatch(text);
    });
  }

  /** Resolves once SUBSCRIBE is confirmed (a message published after that reaches us). */
  start(): Promise<void> {
    this.subscribed ??= connectRedis(this.sub).then(async () => {
      await this.sub.subscribe(this.channel);
    });
    return this.subscribed;
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when a recent message named the task as done (a hint to read it, not a fact). */
  heardDone(id: string): boolean {
    return this.recent.has(id) || this.older.has(id);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await closeRedis(this.sub);
  }

  private dispatch(text: string): void {
    // the transport's contract check; what fails is ignored: a poll finds what it would have said
    const verdict = checkBusMessage(Patterns.TasksFinished, text, this.maxMessageBytes);
    if (!verdict.ok) return;
    const data = verdict.data as TasksFinishedMessage;
    if (data.done.length === 0) return;
    this.lastMessageAt = Date.now();
    // generations, not deletes of the oldest: a Set keeps deleted slots until it rehashes, and
    // finding the oldest live entry walked over all of them on every message
    const done = data.done;
    for (let i = 0; i < done.length; i++) {
      if (this.recent.size >= RECENT_CAP) {
        this.older = this.recent;
        this.recent = new Set();
      }
      this.recent.add(done[i]);
    }
    for (const listener of this.listeners) listener(done);
  }
}
