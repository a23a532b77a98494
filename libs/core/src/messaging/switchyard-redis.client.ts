import { ClientRedis, type ReadPacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../store/redis-connection';
import { RedisErrorLog } from '../store/redis-failure';
import { busCluster, busOptions } from './redis-transport-options';
import { ChannelNaming } from './patterns';

const CLOSE_SETTLE_MS = 2_000;
const SETTLED = new Set(['wait', 'ready', 'close', 'end']);

/** Resolves once the connection is ready or has failed an attempt, or after CLOSE_SETTLE_MS. */
function settled(client: Redis): Promise<void> {
  if (SETTLED.has(client.status)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done).off('close', done).off('end', done);
      resolve();
    };
    const timer = setTimeout(done, CLOSE_SETTLE_MS);
    client.once('ready', done).once('close', done).once('end', done);
  });
}

/** Nest's Redis transport client publishing on Switchyard channel names (see SwitchyardRedisServer). */
export class SwitchyardRedisClient extends ClientRedis {
  private readonly naming: ChannelNaming;
  private readonly redisErrors = new RedisErrorLog('SwitchyardBusClient');

  /** `redis`: a REDIS_URL, or the config (Sentinel and Cluster settings apply). */
  constructor(
    private readonly redis: string | RedisConfig,
    prefix: string,
  ) {
    super(busOptions(redis));
    this.naming = new ChannelNaming(prefix);
  }

  override createClient(): Redis {
    return (
      busCluster(this.redis, (times) => this.createRetryStrategy(times)) ?? super.createClient()
    );
  }

  /**
   * Lets a connection attempt settle (ready, or failed once) before Nest quits it: an ioredis
   * Cluster quit while still connecting has no nodes to quit yet, so its connections came up
   * after close, left sockets open, and Nest's ready handler then read the nulled subscriber
   * (an uncaught TypeError). Bounded by CLOSE_SETTLE_MS.
   */
  override async close(): Promise<void> {
    const clients = [this.pubClient, this.subClient].filter((c): c is Redis => Boolean(c));
    await Promise.all(clients.map(settled));
    await super.close();
  }

  /** A ready event after close (see close) is ignored instead of crashing Nest's handler. */
  override registerReadyListener(client: Redis): void {
    const guarded = {
      on: (event: string, listener: () => void) =>
        client.on(event, () => (this.isManuallyClosed ? undefined : listener())),
    };
    super.registerReadyListener(guarded as unknown as Redis);
  }

  /** Nest logs the whole error object, and ioredis puts the AUTH arguments (the password) in it. */
  override registerErrorListener(client: Redis): void {
    client.addListener('error', (err: unknown) => this.redisErrors.report(err));
  }

  protected override dispatchEvent(packet: ReadPacket): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.pubClient.publish(this.channelOf(packet), this.wireText(packet), (err?: Error | null) =>
        err ? reject(err) : resolve(undefined),
      ),
    );
  }

  private channelOf(packet: ReadPacket): string {
    const pattern = this.normalizePattern(packet.pattern);
    const node = (packet.data as { node?: unknown } | null)?.node;
    return this.naming.channel(
      pattern,
      this.naming.isPerNode(pattern) && typeof node === 'string' ? node : undefined,
    );
  }

  private wireText(packet: ReadPacket): string {
    return JSON.stringify(this.serializer.serialize(packet));
  }
}
