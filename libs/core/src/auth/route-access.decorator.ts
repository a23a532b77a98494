import { Reflector } from '@nestjs/core';
import type { ApiKeyScope } from './api-keys';

/** A route that is public only while its switch is on (AUTH_PUBLIC_*); off, it needs any valid key. */
export type PublicSwitch = 'readiness' | 'metrics' | 'docs' | 'dashboard';

/** Who may call a route. Every HTTP route declares one; a route without one is refused. */
export type RouteAccess = { scope: ApiKeyScope } | { public: 'always' | PublicSwitch };

/** The one metadata key both decorators write (read with Reflector by the guard and the audit). */
export const RouteAccessRule = Reflector.createDecorator<RouteAccess>();

/** The route needs a key holding `scope`. */
export function RequireScope(scope: ApiKeyScope): MethodDecorator & ClassDecorator {
  return RouteAccessRule({ scope });
}

/** The route answers without a key; with a switch, only while AUTH_PUBLIC_<switch> is on. */
export function PublicRoute(
  when: PublicSwitch | 'always' = 'always',
): MethodDecorator & ClassDecorator {
  return RouteAccessRule({ public: when });
}
