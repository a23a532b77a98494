import { ServerRedis } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../store/redis-connection';
import { busCluster, busOptions } from './redis-transport-options';
import type { BusConnection } from './bus-link';
import { ChannelNaming } from './patterns';

/**
 * Nest's Redis transport server with Switchyard channel names: `<prefix>:<pattern>`, and
 * `<prefix>:<pattern>:<nodeId>` for per-node patterns, so several deployments share a Redis
 * and a node hears only its own assignments. `listen()` resolves only once every SUBSCRIBE
 * is confirmed.
 */
export class SwitchyardRedisServer extends ServerRedis implements BusConnection {
  private readonly naming: ChannelNaming;
  private readonly channelToPattern = new Map<string, string>();

  /** `redis`: a REDIS_URL, or the config (Sentinel and Cluster settings apply). */
  constructor(
    private readonly redis: string | RedisConfig,
    prefix: string,
    private readonly nodeId?: string,
  ) {
    super(busOptions(redis));
    this.naming = new ChannelNaming(prefix);
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
      .then(() => this.subscribeAll(this.subClient, this.pubClient))
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /**
   * Our patterns are plain strings; Nest first tries JSON.parse on every incoming pattern and
   * catches the throw, which costs more than the rest of a small message's handling.
   */
  override getRouteFromPattern(pattern: string): string {
    return this.messageHandlers.has(pattern) ? pattern : super.getRouteFromPattern(pattern);
  }

  override bindEvents(subClient: Redis, pubClient: Redis): void {
    void this.subscribeAll(subClient, pubClient);
  }

  private async subscribeAll(subClient: Redis, pubClient: Redis): Promise<void> {
    subClient.on('message', (channel: string, buffer: string) => {
      const pattern = this.channelToPattern.get(channel);
      if (pattern === undefined) return;
      this.handleMessage(pattern, buffer, pubClient, pattern).catch((err: unknown) =>
        this.logger.warn(`dropped a message on ${channel}: ${String(err)}`),
      );
    });
    const channels: string[] = [];
    for (const pattern of this.messageHandlers.keys()) {
      const nodeId = this.naming.isPerNode(pattern) ? this.nodeId : undefined;
      if (this.naming.isPerNode(pattern) && nodeId === undefined) continue;
      const channel = this.naming.channel(pattern, nodeId);
      this.channelToPattern.set(channel, pattern);
      channels.push(channel);
    }
    if (channels.length > 0) await subClient.subscribe(...channels);
  }
}
