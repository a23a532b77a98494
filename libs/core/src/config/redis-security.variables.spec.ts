import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from './switchyard-config';
import { redactRedisUrl } from './redis-security.variables';

describe('Redis credentials and TLS in the config', () => {
  it('redacts the password of a URL, keeping the user and host', () => {
    expect(redactRedisUrl('redis://app:s3cret@redis.example:6380/2')).toBe(
      'redis://app:***@redis.example:6380/2',
    );
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('not a url //user:s3cret@host')).not.toContain('s3cret');
  });

  it.each([
    ['http://:s3cret@host', /must start with redis:\/\/ or rediss:\/\//],
    ['redis//:s3cret@host', /is not a URL/],
    ['redis://:s3cret@host/x', /path must be a db number/],
  ])('refuses REDIS_URL %s without repeating the password', (url, message) => {
    let error: Error | undefined;
    try {
      loadConfig({ REDIS_URL: url });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain('REDIS_URL');
    expect(error?.message).not.toContain('s3cret');
  });

  it('turns TLS on with rediss:// and reads the CA, certificate and key once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-tls-'));
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, f), f);
      const config = loadConfig({
        REDIS_URL: 'rediss://:pw@redis.example:6380',
        REDIS_TLS_CA_FILE: path.join(dir, 'ca.pem'),
        REDIS_TLS_CERT_FILE: path.join(dir, 'cert.pem'),
        REDIS_TLS_KEY_FILE: path.join(dir, 'key.pem'),
      });
      expect(config.redisTls).toEqual({
        ca: 'ca.pem',
        cert: 'cert.pem',
        key: 'key.pem',
        rejectUnauthorized: true,
      });
      expect(loadConfig({ REDIS_URL: 'rediss://h' }).redisTls).toEqual({
        rejectUnauthorized: true,
      });
      expect(loadConfig({ REDIS_URL: 'redis://h' }).redisTls).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ REDIS_URL: 'redis://h', REDIS_TLS_CA_FILE: '/x' }, /REDIS_URL: REDIS_TLS_\* files are set/],
    [{ REDIS_URL: 'rediss://h', REDIS_TLS_CERT_FILE: '/x' }, /REDIS_TLS_CERT_FILE: give/],
    [
      { REDIS_URL: 'rediss://h', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' },
      /REDIS_TLS_CA_FILE: cannot read/,
    ],
  ])('refuses an inconsistent TLS setup %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
