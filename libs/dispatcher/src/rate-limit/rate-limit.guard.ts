import { createHash } from 'node:crypto';
import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type ExecutionContext,
} from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ApiKeyAccess, SWITCHYARD_CONFIG, type SwitchyardConfig } from '@switchyard/core';

interface TrackedRequest {
  headers?: Record<string, string | string[] | undefined>;
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
 * routes, and refusing with a JSON error that names the limit. It runs BEFORE the API key guard
 * and tells the key itself, so requests with a missing or unknown key (a key-guessing loop)
 * count against their client IP and meet 429 too, not an endless stream of 401s.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  @Inject(SWITCHYARD_CONFIG) private readonly config!: SwitchyardConfig;
  private access: ApiKeyAccess | undefined;

  /** RATE_LIMIT_MAX=0: no limit, so no per-request look-up of route options either. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.config.rateLimitMax === 0 || super.shouldSkip(context);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    this.access ??= new ApiKeyAccess(this.config);
    const authorization = (req as TrackedRequest).headers?.authorization;
    const keyName = this.access.keyNameOf(
      typeof authorization === 'string' ? authorization : undefined,
    );
    return rateLimitSubject(keyName, await super.getTracker(req));
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
