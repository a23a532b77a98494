import { rateLimitKey, rateLimitSubject } from './rate-limit.guard';

describe('who a request counts against', () => {
  it('is the API key the auth guard named, whatever the client IP', () => {
    expect(rateLimitSubject('ci-bot', '10.0.0.1')).toBe('key:ci-bot');
    expect(rateLimitSubject('ci-bot', '10.0.0.2')).toBe('key:ci-bot');
  });

  it('is the client IP when no key was named', () => {
    expect(rateLimitSubject(undefined, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitSubject('', '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitSubject(42, '10.0.0.1')).toBe('ip:10.0.0.1');
  });

  it('keeps a key named like an IP apart from that IP', () => {
    expect(rateLimitKey('default', rateLimitSubject('10.0.0.1', '10.0.0.9'))).not.toBe(
      rateLimitKey('default', rateLimitSubject(undefined, '10.0.0.1')),
    );
  });

  it('stores a short hash, not the name', () => {
    const key = rateLimitKey('default', 'key:a-secretish-name');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('secretish');
  });
});
