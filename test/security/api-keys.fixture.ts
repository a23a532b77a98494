import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_SCOPES, type ApiKeyScope } from '@switchyard/core';

export interface TestKey {
  name: string;
  key: string;
  scopes: readonly ApiKeyScope[];
}

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

function makeKey(name: string, scopes: readonly ApiKeyScope[]): TestKey {
  return { name, key: `test-${name}-${randomBytes(24).toString('base64url')}`, scopes };
}

/**
 * Fresh random keys for one test file: one holding every scope, and per scope one holding only
 * it and one holding every other scope (the "wrong scope" key of a route needing it).
 */
export function makeTestKeys(): {
  all: TestKey;
  only: Record<ApiKeyScope, TestKey>;
  without: Record<ApiKeyScope, TestKey>;
  apiKeys: string;
} {
  const all = makeKey('all', API_KEY_SCOPES);
  const only = {} as Record<ApiKeyScope, TestKey>;
  const without = {} as Record<ApiKeyScope, TestKey>;
  for (const scope of API_KEY_SCOPES) {
    const slug = scope.replace(':', '-');
    only[scope] = makeKey(`only-${slug}`, [scope]);
    without[scope] = makeKey(
      `without-${slug}`,
      API_KEY_SCOPES.filter((s) => s !== scope),
    );
  }
  const keys = [all, ...Object.values(only), ...Object.values(without)];
  return {
    all,
    only,
    without,
    apiKeys: keys.map((k) => `${k.name}:${hashOf(k.key)}:${k.scopes.join('|')}`).join(','),
  };
}

export const bearer = (k: TestKey | string): Record<string, string> => ({
  authorization: `Bearer ${typeof k === 'string' ? k : k.key}`,
});
