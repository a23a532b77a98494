import { ConfigError } from '../errors/switchyard.error';
import { findApiKey, parseApiKeys, sha256Of } from './api-keys';

const hashOf = (key: string): string => sha256Of(key).toString('hex');
const HASH_A = hashOf('key-a');
const HASH_B = hashOf('key-b');

describe('API_KEYS parsing', () => {
  it('reads the name, hash and scopes of each entry', () => {
    const entries = parseApiKeys(
      ` ci:${HASH_A}:tasks:write|tasks:read , ops:${HASH_B.toUpperCase()}:nodes:admin`,
    );
    expect(entries.map((e) => e.name)).toEqual(['ci', 'ops']);
    expect([...entries[0].scopes]).toEqual(['tasks:write', 'tasks:read']);
    expect([...entries[1].scopes]).toEqual(['nodes:admin']);
    expect(entries[1].sha256.toString('hex')).toBe(HASH_B);
  });

  it('is empty when nothing is configured', () => {
    expect(parseApiKeys('')).toEqual([]);
    expect(parseApiKeys('   ')).toEqual([]);
  });

  it.each([
    ['ci', /entry 1 \("ci"\) is not name:sha256hex:scope\|scope/],
    ['c i', /entry 1 is not name:sha256hex/],
    [`ci:${HASH_A}`, /entry 1 \("ci"\) is not name:sha256hex/],
    [`c i:${HASH_A}:tasks:read`, /entry 1: the name must match/],
    [`ci:abc123:tasks:read`, /entry 1 \("ci"\): the hash must be 64 hex digits/],
    [`ci:${HASH_A}:tasks:delete`, /entry 1 \("ci"\): unknown scope "tasks:delete"/],
    [`ci:${HASH_A}:tasks:read,ci:${HASH_B}:tasks:read`, /entry 2 \("ci"\): the name is used twice/],
    [`a:${HASH_A}:tasks:read,b:${HASH_A}:tasks:read`, /entry 2 \("b"\): the same key hash/],
    [`ok:${HASH_A}:tasks:read,`, /entry 2 is not name:sha256hex/],
  ])('refuses %j with a message naming the entry', (raw, message) => {
    expect(() => parseApiKeys(raw)).toThrow(ConfigError);
    expect(() => parseApiKeys(raw)).toThrow(message);
  });

  it('never echoes a hash-like secret in its error', () => {
    // someone pasting the key where the hash belongs, or a hash with one digit too many
    for (const raw of [`ci:${HASH_A}0:tasks:read`, `ci:${HASH_A}:tasks:${HASH_B}`]) {
      const err = (() => {
        try {
          parseApiKeys(raw);
        } catch (e) {
          return e as Error;
        }
        throw new Error('accepted');
      })();
      expect(err.message).not.toContain(HASH_A);
      expect(err.message).not.toContain(HASH_B.slice(0, 8));
    }
  });
});

describe('API key lookup', () => {
  const entries = parseApiKeys(`a:${HASH_A}:tasks:read,b:${HASH_B}:tasks:write`);

  it('finds the entry whose hash is the SHA-256 of the presented key', () => {
    expect(findApiKey(entries, 'key-a')?.name).toBe('a');
    expect(findApiKey(entries, 'key-b')?.name).toBe('b');
  });

  it('finds nothing for an unknown, empty or hash-valued key', () => {
    expect(findApiKey(entries, 'key-c')).toBeUndefined();
    expect(findApiKey(entries, '')).toBeUndefined();
    // presenting the configured hash instead of the key does not authenticate
    expect(findApiKey(entries, HASH_A)).toBeUndefined();
  });

  it('finds nothing when no keys are configured', () => {
    expect(findApiKey([], 'key-a')).toBeUndefined();
  });
});
