import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';

export interface LeaderInfo {
  /** "<epoch>:<token>" */
  value: string;
  epoch: number;
  /** The holder's token (a dispatcher's id). */
  holder: string;
  ttlMs: number;
}

/** The epoch and holder encoded in a lease value "<epoch>:<token>". */
export function parseLeaseValue(value: string): { epoch: number; holder: string } {
  const sep = value.indexOf(':');
  return { epoch: Number(value.slice(0, sep)), holder: value.slice(sep + 1) };
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
    return (await this.read()).leader;
  }

  /** The lease and the latest epoch ever granted, read together (MULTI). */
  async read(): Promise<{ leader: LeaderInfo | null; lastEpoch: number }> {
    const replies = await inStore(
      this.redis.multi().get(this.keys.leader).pttl(this.keys.leader).get(this.keys.epoch).exec(),
    );
    const [value, ttl, epoch] = (replies ?? []).map(([, v]) => v) as [
      string | null,
      number,
      string | null,
    ];
    const lastEpoch = Number(epoch ?? 0);
    if (value === null || value === undefined) return { leader: null, lastEpoch };
    return { leader: { value, ...parseLeaseValue(value), ttlMs: ttl }, lastEpoch };
  }
}
