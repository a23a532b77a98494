import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace';
import { LuaScripts } from './lua-scripts';
import { inStore } from './redis-errors';

/** One request counted against a rate-limit key. Times in ms. */
export interface RateLimitHit {
  /** Requests of the key in its current window, this one included. */
  hits: number;
  /** Until the current window ends. */
  windowLeftMs: number;
  /** Over the limit: refuse the request. */
  blocked: boolean;
  /** Until the key is admitted again (0 when not blocked). */
  blockLeftMs: number;
}

const KEY = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Fixed-window rate-limit counters in Redis, shared by every dispatcher: one script counts the
 * hit, starts the window's expiry and sets the block, atomically.
 */
export class RateLimitStore {
  private readonly scripts: LuaScripts;

  constructor(redis: Redis, keys: Keyspace) {
    this.scripts = new LuaScripts(redis, keys.base);
  }

  /** Counts one request of `key` (a short hash of the client, not the client itself). */
  async hit(key: string, windowMs: number, limit: number, blockMs: number): Promise<RateLimitHit> {
    if (!KEY.test(key)) throw new RangeError(`rate-limit key must match ${KEY}, got "${key}"`);
    const [hits, windowLeftMs, blocked, blockLeftMs] = await inStore(
      this.scripts.run<[number, number, number, number]>('rateLimitHit', [
        key,
        windowMs,
        limit,
        blockMs,
      ]),
    );
    return { hits, windowLeftMs, blocked: blocked === 1, blockLeftMs };
  }
}
