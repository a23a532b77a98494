import { ConfigError } from '../errors/switchyard.error';
import { loadConfig, retryPolicyFor } from './switchyard-config';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.prefix).toBe('sy');
    expect(c.port).toBe(3000);
    expect(c.workerCpu).toBeGreaterThan(0);
    expect(c.nodeId).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(c.reportWritesInFlight).toBe(2);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be an integer/],
    [{ PORT: '70000' }, /PORT: must be between 0 and 65535/],
    [{ REPORT_WRITES_IN_FLIGHT: '0' }, /REPORT_WRITES_IN_FLIGHT: must be between 1 and 16/],
    [{ REPORT_WRITES_IN_FLIGHT: '1.5' }, /REPORT_WRITES_IN_FLIGHT: must be an integer/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL: must start with redis:\/\/ or rediss:\/\//],
    [{ SWITCHYARD_PREFIX: 'a b' }, /SWITCHYARD_PREFIX/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: must be one of/],
    [{ RETRY_POLICIES: '{"x": {"backoff": "linear"}}' }, /RETRY_POLICIES: policy for "x"/],
    [{ RETRY_POLICIES: 'not json' }, /RETRY_POLICIES: must be valid JSON/],
    [{ WORKER_LABELS: 'zone' }, /WORKER_LABELS: "zone" is not key=value/],
    [
      { NODE_SUSPECT_AFTER_MS: '9000', NODE_DEAD_AFTER_MS: '5000' },
      /NODE_SUSPECT_AFTER_MS: must be less than/,
    ],
  ])('names the bad variable in %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('parses worker labels and types', () => {
    const c = loadConfig({ WORKER_LABELS: 'zone=eu, gpu=a100', WORKER_TYPES: 'echo, hash' });
    expect(c.labels).toEqual({ zone: 'eu', gpu: 'a100' });
    expect(c.types).toEqual(['echo', 'hash']);
  });

  it('merges a type retry policy over the defaults', () => {
    const c = loadConfig({
      RETRY_BASE_MS: '100',
      RETRY_POLICIES: '{"email": {"backoff": "fixed", "capMs": 50}}',
    });
    expect(retryPolicyFor(c, 'email')).toEqual({
      backoff: 'fixed',
      baseMs: 100,
      capMs: 50,
      jitter: 0.5,
    });
    expect(retryPolicyFor(c, 'other').backoff).toBe('exponential');
  });
});
