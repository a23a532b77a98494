import { Logger } from '@nestjs/common';
import { WindowedLog } from '../logging/windowed-log';

const AUTH_REFUSED =
  /^(WRONGPASS|NOAUTH|NOPERM|ERR AUTH|ERR invalid password|ERR Client sent AUTH)/;
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Redis will not take us as configured: retrying cannot help, the process should stop and say why. */
export class RedisRefusedError extends Error {
  override readonly name = 'RedisRefusedError';
}

/**
 * The text of a Redis error, fit for a log: its message only. ioredis attaches the failed
 * command to a ReplyError (`command.args`), and for AUTH/HELLO that is the password: a logger
 * serialising the whole error would print it.
 */
export function redisErrorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A RedisRefusedError when `err` says the credentials or the TLS setup are wrong, else undefined. */
export function refusal(err: unknown): RedisRefusedError | undefined {
  if (!(err instanceof Error)) return undefined;
  if (AUTH_REFUSED.test(err.message))
    return new RedisRefusedError(
      `Redis refused the credentials in REDIS_URL (${err.message.split('\n')[0]}); check the user, the password and the user's ACL (the password is not shown)`,
    );
  const code = (err as NodeJS.ErrnoException).code;
  if (
    (code !== undefined && TLS_CODES.has(code)) ||
    /certificate|SSL routines|TLS/i.test(err.message)
  )
    return new RedisRefusedError(
      `TLS connection to Redis failed (${err.message}); check rediss:// in REDIS_URL and REDIS_TLS_CA_FILE / REDIS_TLS_CERT_FILE / REDIS_TLS_KEY_FILE`,
    );
  return undefined;
}

/** While Redis is away a connection errors on every retry: log the first, then one per window. */
const WINDOW_MS = 5000;

/** Connection errors of the bus connections, logged by message only and rate limited. */
export class RedisErrorLog {
  private readonly logger: Logger;
  private readonly window = new WindowedLog(WINDOW_MS);
  /** The latest error seen (start() turns it into a clear reason when connecting fails). */
  last: Error | undefined;

  constructor(context: string) {
    this.logger = new Logger(context);
  }

  report(err: unknown): void {
    if (err instanceof Error) this.last = err;
    const admitted = this.window.admit();
    if (admitted === null) return;
    const more = admitted.heldBack > 0 ? ` (${admitted.heldBack} more since the last one)` : '';
    this.logger.error(`Redis connection error: ${redisErrorText(err)}${more}`);
  }
}
