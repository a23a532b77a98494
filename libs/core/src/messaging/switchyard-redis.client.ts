import { ClientRedis, type ReadPacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { RedisConfig } from '../store/redis-connection';
import { busCluster, busOptions } from './redis-transport-options';
import { ChannelNaming } from './patterns';

/** Nest's Redis transport client publishing on Switchyard channel names (see SwitchyardRedisServer). */
export class SwitchyardRedisClient extends ClientRedis {
  private readonly naming: ChannelNaming;

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

  protected override dispatchEvent(packet: ReadPacket): Promise<unknown> {
    const pattern = this.normalizePattern(packet.pattern);
    const node = (packet.data as { node?: unknown } | null)?.node;
    const channel = this.naming.channel(
      pattern,
      this.naming.isPerNode(pattern) && typeof node === 'string' ? node : undefined,
    );
    const serialized = this.serializer.serialize(packet);
    return new Promise((resolve, reject) =>
      this.pubClient.publish(channel, JSON.stringify(serialized), (err?: Error | null) =>
        err ? reject(err) : resolve(undefined),
      ),
    );
  }
}
