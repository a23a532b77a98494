import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';

export interface LeaderInfo {
  /** "<epoch>:<token>" */
  value: string;
  epoch: number;
  ttlMs: number;
}

/** The leader lease in Redis: a token with a TTL and an epoch that grows on every new holder. */
export class LeaderLeaseStore {
  private readonly scripts: LuaScripts;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {
    this.scripts = new LuaScripts(redis, keys.base);
  }

  /** Takes or renews the lease; returns its value, or null when someone else holds it. */
  async acquire(token: string, ttlMs: number): Promise<string | null> {
    const value = await inStore(this.scripts.run<string | null>('leaderAcquire', [token, ttlMs]));
    return value ?? null;
  }

  async release(value: string): Promise<boolean> {
    return (await inStore(this.scripts.run<number>('leaderRelease', [value]))) === 1;
  }

  async current(): Promise<LeaderInfo | null> {
    const [value, ttl] = await inStore(
      Promise.all([this.redis.get(this.keys.leader), this.redis.pttl(this.keys.leader)]),
    );
    if (value === null) return null;
    return { value, epoch: Number(value.split(':')[0]), ttlMs: ttl };
  }
}
