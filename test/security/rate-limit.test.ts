import * as http from 'node:http';
import type { AppProcess } from '../support/app-process';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

const LIMIT = 6;
const WINDOW_MS = 2000;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A GET from a chosen loopback address (127.0.0.0/8 is all ours): another client IP. */
function getFrom(target: AppProcess, path: string, localAddress = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: target.port, path, localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
  });
}

describe('rate limits shared by several dispatchers', () => {
  let cluster: TestCluster;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      dispatchers: 2,
      env: { RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS) },
    });
    [a, b] = cluster.dispatchers;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('counts requests alternated between two dispatchers against one limit, then answers 429 with Retry-After', async () => {
    // start at the beginning of a fresh window for this client
    const first = await waitFor(
      () => getFrom(a, '/stats', '127.0.0.11'),
      (r) => r.status === 200 && r.headers['x-ratelimit-remaining'] === String(LIMIT - 1),
      { what: 'a fresh rate-limit window', intervalMs: 200 },
    );
    expect(first.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    const statuses: number[] = [first.status];
    for (let i = 1; i < LIMIT; i++) {
      statuses.push((await getFrom(i % 2 === 0 ? a : b, '/stats', '127.0.0.11')).status);
    }
    const over = await getFrom(b, '/stats', '127.0.0.11');
    const overOnA = await getFrom(a, '/stats', '127.0.0.11');

    expect(statuses).toEqual(Array(LIMIT).fill(200));
    for (const refused of [over, overOnA]) {
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
      expect(refused.body).toMatchObject({ statusCode: 429, error: 'rate_limited' });
      expect(refused.body.message).toMatch(
        new RegExp(`at most ${LIMIT} requests per ${WINDOW_MS / 1000} s.*RATE_LIMIT_MAX`),
      );
    }
  });

  it('does not limit another client while one is over its limit', async () => {
    await waitFor(
      () => getFrom(a, '/stats', '127.0.0.12'),
      (r) => r.status === 429,
      { what: 'client 127.0.0.12 to exhaust its limit', intervalMs: 1 },
    );
    const other = await getFrom(b, '/stats', '127.0.0.13');
    expect(other.status).toBe(200);
    expect(other.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('never limits liveness', async () => {
    await waitFor(
      () => getFrom(a, '/stats', '127.0.0.14'),
      (r) => r.status === 429,
      { what: 'client 127.0.0.14 to exhaust its limit', intervalMs: 1 },
    );
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await getFrom(i % 2 === 0 ? a : b, '/health/live', '127.0.0.14')).status).toBe(200);
    }
  });

  it('admits a client again once its window has passed', async () => {
    await waitFor(
      () => getFrom(a, '/stats', '127.0.0.15'),
      (r) => r.status === 429,
      { what: 'client 127.0.0.15 to exhaust its limit', intervalMs: 1 },
    );
    const again = await waitFor(
      () => getFrom(b, '/stats', '127.0.0.15'),
      (r) => r.status !== 429,
      { what: 'client 127.0.0.15 to be admitted again', intervalMs: 250, timeoutMs: 10_000 },
    );
    expect(again.status).toBe(200);
  });

  it('keeps its counters under the prefix, each with a TTL no longer than the window', async () => {
    const keys = await cluster.redis.keys(cluster.key('rl:*'));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await cluster.redis.pttl(key);
      // -2: expired between KEYS and PTTL; never -1 (no expiry)
      expect(ttl === -2 || (ttl > 0 && ttl <= WINDOW_MS)).toBe(true);
    }
  });
});
