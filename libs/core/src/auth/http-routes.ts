import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { RouteAccessRule, type RouteAccess } from './route-access.decorator';

/** One HTTP route of a controller and the access rule it declares (undefined = none). */
export interface HttpRoute {
  method: string;
  path: string;
  handler: string;
  access: RouteAccess | undefined;
}

function joinPath(...parts: unknown[]): string {
  const segments = parts
    .flatMap((p) => (Array.isArray(p) ? p.slice(0, 1) : [p]))
    .filter((p): p is string => typeof p === 'string')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '');
  return `/${segments.join('/')}`;
}

/**
 * Every HTTP route of the given controllers (message handlers have no path and are left out),
 * with its access rule as the guard reads it (method over class).
 */
export function httpRoutesOf(controllers: readonly Type[]): HttpRoute[] {
  const reflector = new Reflector();
  const routes: HttpRoute[] = [];
  for (const controller of controllers) {
    const base: unknown = Reflect.getMetadata(PATH_METADATA, controller);
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
      if (path === undefined || typeof method !== 'number') continue;
      routes.push({
        method: RequestMethod[method],
        path: joinPath(base, path),
        handler: `${controller.name}.${name}`,
        access: reflector.getAllAndOverride(RouteAccessRule, [handler, controller]),
      });
    }
  }
  return routes;
}

/** Refuses a set of controllers in which some route declares neither @RequireScope nor @PublicRoute. */
export function assertEveryRouteDeclaresAccess(controllers: readonly Type[]): void {
  const bare = httpRoutesOf(controllers).filter((r) => r.access === undefined);
  if (bare.length === 0) return;
  throw new Error(
    `HTTP routes without an access rule (add @RequireScope(...) or @PublicRoute()): ${bare
      .map((r) => `${r.method} ${r.path} (${r.handler})`)
      .join(', ')}`,
  );
}
