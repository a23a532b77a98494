import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitStore, StoreUnavailableError, WindowedLog } from '@switchyard/core';

/** The record @nestjs/throttler expects back from its storage (times in whole seconds). */
export interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

const WARN_EVERY_MS = 10_000;

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * @nestjs/throttler's storage on Redis (RateLimitStore), so one limit holds across every
 * dispatcher. When Redis cannot be reached the request is admitted: the route itself then
 * answers 503 if it needs Redis, and liveness-like reads (metrics) keep working.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly warnings = new WindowedLog(WARN_EVERY_MS);

  constructor(private readonly store: RateLimitStore) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerRecord> {
    try {
      const hit = await this.store.hit(key, ttl, limit, blockDuration);
      return {
        totalHits: hit.hits,
        timeToExpire: seconds(hit.windowLeftMs),
        isBlocked: hit.blocked,
        timeToBlockExpire: hit.blocked ? seconds(hit.blockLeftMs) : 0,
      };
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      this.warnUnavailable(err);
      return { totalHits: 0, timeToExpire: seconds(ttl), isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  private warnUnavailable(err: StoreUnavailableError): void {
    if (this.warnings.admit() === null) return;
    this.logger.warn(`rate limit not counted, requests admitted: ${err.message}`);
  }
}
