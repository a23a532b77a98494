import type { DynamicModule } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { RateLimitStore, SWITCHYARD_CONFIG, type SwitchyardConfig } from '@switchyard/core';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** RATE_LIMIT_* as @nestjs/throttler options, counted in Redis; RATE_LIMIT_MAX=0 turns it off. */
export function rateLimitOptions(
  config: SwitchyardConfig,
  store: RateLimitStore,
): ThrottlerModuleOptions {
  return {
    throttlers: [
      {
        name: 'default',
        limit: Math.max(config.rateLimitMax, 1),
        ttl: config.rateLimitWindowMs,
        blockDuration: config.rateLimitBlockMs,
      },
    ],
    storage: new RedisThrottlerStorage(store),
    skipIf: () => config.rateLimitMax === 0,
  };
}

/** The throttler options and storage; the guard (RateLimitGuard) is an APP_GUARD of the dispatcher. */
export function rateLimitModule(): DynamicModule {
  return ThrottlerModule.forRootAsync({
    inject: [SWITCHYARD_CONFIG, RateLimitStore],
    useFactory: rateLimitOptions,
  });
}
