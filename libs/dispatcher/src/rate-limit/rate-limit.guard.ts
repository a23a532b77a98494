import { createHash } from 'node:crypto';
import { HttpException, HttpStatus, Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';

/** What the API key guard leaves on an authenticated request (the key's configured name). */
interface TrackedRequest {
  switchyardKeyName?: unknown;
  ip?: string;
}

/** Who a request counts against: its API key when it has one, else its client IP. */
export function rateLimitSubject(keyName: unknown, ip: string): string {
  return typeof keyName === 'string' && keyName !== '' ? `key:${keyName}` : `ip:${ip}`;
}

/** One budget per subject across every route; hashed, so a Redis key is short and says no name. */
export function rateLimitKey(throttler: string, subject: string): string {
  return createHash('sha256').update(`${throttler}\n${subject}`).digest('base64url');
}

/**
 * @nestjs/throttler's guard, counting per API key (falling back to the client IP) across all
 * routes, and refusing with a JSON error that names the limit. Runs after the API key guard,
 * which sets `req.switchyardKeyName`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const tracked = req as TrackedRequest;
    return rateLimitSubject(tracked.switchyardKeyName, await super.getTracker(req));
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    return rateLimitKey(throttlerName, tracker);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const windowSeconds = detail.ttl / 1000;
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'rate_limited',
        message:
          `rate limit exceeded: at most ${detail.limit} requests per ${windowSeconds} s per API key ` +
          `or client (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry after ${detail.timeToBlockExpire} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
