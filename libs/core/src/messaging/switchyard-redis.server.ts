import { RedisContext, ServerRedis } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../store/redis-connection';
import { RedisErrorLog, refusal } from '../store/redis-failure';
import { busCluster, busOptions } from './redis-transport-options';
import type { BusConnection } from './bus-link';
import { BusDrops } from './bus-drops';
import { checkBusMessage, DEFAULT_MAX_BUS_MESSAGE_BYTES } from './bus-message-check';
import { ChannelNaming, type Pattern } from './patterns';

export interface BusServerOptions {
  /** Where drops are counted (the app's BusDrops provider, read by its metrics). */
  drops?: BusDrops;
  /** Larger messages are dropped unread (MAX_BUS_MESSAGE_BYTES). */
  maxMessageBytes?: number;
}

/**
 * Nest's Redis transport server with Switchyard channel names: `<prefix>:<pattern>`, and
 * `<prefix>:<pattern>:<nodeId>` for per-node patterns, so several deployments share a Redis
 * and a node hears only its own assignments. `listen()` resolves only once every SUBSCRIBE
 * is confirmed. Every message is checked against its pattern's contract (checkBusMessage)
 * before a handler sees it; what fails is counted in BusDrops and dropped, never thrown.
 */
export class SwitchyardRedisServer extends ServerRedis implements BusConnection {
  private readonly naming: ChannelNaming;
  private readonly channelToPattern = new Map<string, Pattern>();
  readonly drops: BusDrops;
  private readonly redisErrors = new RedisErrorLog('SwitchyardBus');
  private readonly maxMessageBytes: number;

  /** `redis`: a REDIS_URL, or the config (Sentinel and Cluster settings apply). */
  constructor(
    private readonly redis: string | RedisConfig,
    prefix: string,
    private readonly nodeId?: string,
    options: BusServerOptions = {},
  ) {
    super(busOptions(redis));
    this.naming = new ChannelNaming(prefix);
    this.drops = options.drops ?? new BusDrops();
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_BUS_MESSAGE_BYTES;
  }

  override createRedisClient(): Redis {
    return (
      busCluster(this.redis, (times) => this.createRetryStrategy(times)) ??
      super.createRedisClient()
    );
  }

  /** Both the subscriber and the publisher connection are up. */
  get connected(): boolean {
    return this.subClient?.status === 'ready' && this.pubClient?.status === 'ready';
  }

  override start(callback?: (err?: unknown) => void): void {
    void Promise.all([this.subClient.connect(), this.pubClient.connect()])
      .then(() => this.subscribeAll(this.subClient))
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(refusal(this.redisErrors.last) ?? err));
  }

  /** Nest logs the whole error object, and ioredis puts the AUTH arguments (the password) in it. */
  override registerErrorListener(client: Redis): void {
    client.on('error', (err: unknown) => this.redisErrors.report(err));
  }

  /**
   * Our patterns are plain strings; Nest first tries JSON.parse on every incoming pattern and
   * catches the throw, which costs more than the rest of a small message's handling.
   */
  override getRouteFromPattern(pattern: string): string {
    return this.messageHandlers.has(pattern) ? pattern : super.getRouteFromPattern(pattern);
  }

  override bindEvents(subClient: Redis): void {
    void this.subscribeAll(subClient);
  }

  private async subscribeAll(subClient: Redis): Promise<void> {
    subClient.on('message', (channel: string, raw: string) => this.receive(channel, raw));
    const channels: string[] = [];
    for (const pattern of this.messageHandlers.keys()) {
      const nodeId = this.naming.isPerNode(pattern) ? this.nodeId : undefined;
      if (this.naming.isPerNode(pattern) && nodeId === undefined) continue;
      const channel = this.naming.channel(pattern, nodeId);
      this.channelToPattern.set(channel, pattern as Pattern);
      channels.push(channel);
    }
    if (channels.length > 0) await subClient.subscribe(...channels);
  }

  /** The one door to the handlers: a message that fails its contract goes no further. */
  private receive(channel: string, raw: string): void {
    const pattern = this.channelToPattern.get(channel);
    if (pattern === undefined) return;
    const verdict = checkBusMessage(pattern, raw, this.maxMessageBytes);
    if (!verdict.ok) return this.drops.record(pattern, verdict.reason, verdict.detail);
    this.handleEvent(pattern, { pattern, data: verdict.data }, new RedisContext([channel])).catch(
      (err: unknown) => this.logger.warn(`handler of ${pattern} failed: ${String(err)}`),
    );
  }
}
