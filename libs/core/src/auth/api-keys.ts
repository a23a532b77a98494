import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors/switchyard.error';

/** What a key may do; a route names the one it needs. */
export const API_KEY_SCOPES = [
  'tasks:write',
  'tasks:read',
  'nodes:admin',
  'schedules:admin',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** One configured key: its name (logged, rate-limited by), the SHA-256 of the key, its scopes. */
export interface ApiKeyEntry {
  name: string;
  sha256: Buffer;
  scopes: ReadonlySet<ApiKeyScope>;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** More keys than anyone rotates at once: bounds the work of one lookup. */
export const MAX_API_KEYS = 100;

export function sha256Of(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * API_KEYS: comma-separated `name:sha256hex:scope|scope`. Only hashes are configured, never
 * keys. A bad entry is named by its position and name; the hash itself is never echoed.
 */
export function parseApiKeys(raw: string, variable = 'API_KEYS'): ApiKeyEntry[] {
  if (raw.trim() === '') return [];
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > MAX_API_KEYS) {
    throw new ConfigError(variable, `at most ${MAX_API_KEYS} entries, got ${parts.length}`);
  }
  const entries: ApiKeyEntry[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  parts.forEach((part, i) => {
    // scopes hold a colon themselves: name and hash end at the first two colons
    const [name = '', hash = '', ...scopeParts] = part.split(':');
    const scopeList = scopeParts.join(':');
    const where = `entry ${i + 1}${NAME.test(name) ? ` ("${name}")` : ''}`;
    if (scopeList === '') {
      throw new ConfigError(variable, `${where} is not name:sha256hex:scope|scope`);
    }
    if (!NAME.test(name)) {
      throw new ConfigError(variable, `${where}: the name must match ${NAME}`);
    }
    if (!SHA256_HEX.test(hash)) {
      throw new ConfigError(
        variable,
        `${where}: the hash must be 64 hex digits, the SHA-256 of the key (scripts/api-key.js prints one)`,
      );
    }
    const scopes = new Set<ApiKeyScope>();
    for (const scope of scopeList.split('|')) {
      if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
        throw new ConfigError(
          variable,
          `${where}: unknown scope${/^[a-z]{1,16}(:[a-z]{1,16})?$/.test(scope) ? ` "${scope}"` : ''} (${API_KEY_SCOPES.join(', ')})`,
        );
      }
      scopes.add(scope as ApiKeyScope);
    }
    if (names.has(name)) throw new ConfigError(variable, `${where}: the name is used twice`);
    if (hashes.has(hash.toLowerCase())) {
      throw new ConfigError(variable, `${where}: the same key hash is configured twice`);
    }
    names.add(name);
    hashes.add(hash.toLowerCase());
    entries.push({ name, sha256: Buffer.from(hash, 'hex'), scopes });
  });
  return entries;
}

/**
 * The entry whose hash matches the presented key, or undefined. Every entry is compared in
 * constant time and the loop does not stop at a match, so timing tells nothing about which
 * (or whether a) key matched.
 */
export function findApiKey(
  entries: readonly ApiKeyEntry[],
  presented: string,
): ApiKeyEntry | undefined {
  const digest = sha256Of(presented);
  let found: ApiKeyEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.sha256, digest) && found === undefined) found = entry;
  }
  return found;
}
