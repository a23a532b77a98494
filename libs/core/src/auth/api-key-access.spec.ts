import { ConfigError } from '../errors/switchyard.error';
import { ApiKeyAccess, assertAuthConfigured } from './api-key-access';
import { parseApiKeys, sha256Of } from './api-keys';

const entry = (name: string, key: string, scopes: string): string =>
  `${name}:${sha256Of(key).toString('hex')}:${scopes}`;
const KEYS = parseApiKeys(
  [entry('reader', 'read-key', 'tasks:read'), entry('writer', 'write-key', 'tasks:write')].join(
    ',',
  ),
);
const CLOSED = {
  apiKeys: KEYS,
  insecureNoAuth: false,
  authPublicReadiness: false,
  authPublicMetrics: false,
  authPublicDocs: false,
  authPublicDashboard: false,
};

describe('the API key access policy', () => {
  const access = new ApiKeyAccess(CLOSED);

  it('admits a key holding the route scope and names it', () => {
    expect(access.decide({ scope: 'tasks:read' }, 'Bearer read-key')).toEqual({
      allow: true,
      keyName: 'reader',
    });
    expect(access.decide({ scope: 'tasks:read' }, 'bearer  read-key ')).toMatchObject({
      allow: true,
    });
  });

  it.each([
    ['no header', undefined],
    ['an unknown key', 'Bearer nope'],
    ['another scheme', 'Basic cmVhZC1rZXk='],
    ['a bare key', 'read-key'],
    ['two tokens', 'Bearer read-key extra'],
    ['an oversized header', `Bearer ${'x'.repeat(5000)}`],
  ])('answers 401 to %s', (_what, authorization) => {
    expect(access.decide({ scope: 'tasks:read' }, authorization)).toMatchObject({
      allow: false,
      status: 401,
    });
  });

  it('answers 403 to a known key without the scope, naming the key but never the key itself', () => {
    const decision = access.decide({ scope: 'tasks:read' }, 'Bearer write-key');
    expect(decision).toMatchObject({ allow: false, status: 403 });
    expect(JSON.stringify(decision)).toContain('writer');
    expect(JSON.stringify(decision)).not.toContain('write-key');
  });

  it('refuses a route that declares no rule, even to a valid key', () => {
    expect(access.decide(undefined, 'Bearer read-key')).toMatchObject({
      allow: false,
      status: 403,
    });
  });

  it('keeps switchable public routes behind any valid key while the switch is off', () => {
    for (const when of ['readiness', 'metrics', 'docs', 'dashboard'] as const) {
      expect(access.decide({ public: when }, undefined)).toMatchObject({ status: 401 });
      expect(access.decide({ public: when }, 'Bearer write-key')).toMatchObject({ allow: true });
    }
    expect(access.decide({ public: 'always' }, undefined)).toEqual({ allow: true });
  });

  it('opens each switchable route with its own switch only', () => {
    const open = new ApiKeyAccess({ ...CLOSED, authPublicMetrics: true });
    expect(open.decide({ public: 'metrics' }, undefined)).toEqual({ allow: true });
    expect(open.decide({ public: 'docs' }, undefined)).toMatchObject({ status: 401 });
    // a valid key on a public route is still named (rate limits count per key)
    expect(open.decide({ public: 'metrics' }, 'Bearer read-key')).toEqual({
      allow: true,
      keyName: 'reader',
    });
  });

  it('lets everything in only with no keys and the insecure flag', () => {
    const open = new ApiKeyAccess({ ...CLOSED, apiKeys: [], insecureNoAuth: true });
    expect(open.decide({ scope: 'nodes:admin' }, undefined)).toEqual({ allow: true });
    const flagIgnored = new ApiKeyAccess({ ...CLOSED, insecureNoAuth: true });
    expect(flagIgnored.decide({ scope: 'nodes:admin' }, undefined)).toMatchObject({ status: 401 });
    const closed = new ApiKeyAccess({ ...CLOSED, apiKeys: [] });
    expect(closed.decide({ scope: 'tasks:read' }, 'Bearer read-key')).toMatchObject({
      status: 401,
    });
  });
});

describe('the start-up check', () => {
  it('refuses no keys without the insecure flag', () => {
    expect(() => assertAuthConfigured({ ...CLOSED, apiKeys: [] })).toThrow(ConfigError);
    expect(() => assertAuthConfigured({ ...CLOSED, apiKeys: [] })).toThrow(
      /SWITCHYARD_INSECURE_NO_AUTH/,
    );
  });

  it('accepts keys, or the insecure flag', () => {
    expect(() => assertAuthConfigured(CLOSED)).not.toThrow();
    expect(() =>
      assertAuthConfigured({ ...CLOSED, apiKeys: [], insecureNoAuth: true }),
    ).not.toThrow();
  });
});
