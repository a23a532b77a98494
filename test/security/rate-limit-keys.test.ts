import { createHash } from 'node:crypto';
import type { AppProcess } from '../support/app-process';
import { getFrom } from '../support/http-from';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

const LIMIT = 5;
const WINDOW_MS = 60_000;
const KEYS = {
  alpha: 'alpha-key-7f3c9b1e2d4a6f80',
  beta: 'beta-key-0a1b2c3d4e5f6a7b',
  gamma: 'gamma-key-9e8d7c6b5a493827',
};
const entry = (name: string, key: string): string =>
  `${name}:${createHash('sha256').update(key).digest('hex')}:tasks:read`;
const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** Sends `n` GET /stats from one client address; returns the statuses in order. */
async function statuses(
  d: AppProcess,
  n: number,
  from: string,
  headers: Record<string, string>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await getFrom(d, '/stats', from, headers)).status);
  return out;
}

describe('rate limits with API keys', () => {
  let cluster: TestCluster;
  let d: AppProcess;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: 0,
      env: {
        API_KEYS: Object.entries(KEYS)
          .map(([name, key]) => entry(name, key))
          .join(','),
        RATE_LIMIT_MAX: String(LIMIT),
        RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
      },
    });
    d = cluster.dispatchers[0];
    await waitFor(
      () => getFrom(d, '/health/live'),
      (r) => r.status === 200,
      { what: 'the dispatcher to answer' },
    );
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives each key its own budget, wherever its requests come from', async () => {
    const alpha = [
      ...(await statuses(d, 3, '127.0.0.21', bearer(KEYS.alpha))),
      ...(await statuses(d, 3, '127.0.0.22', bearer(KEYS.alpha))),
    ];
    expect(alpha).toEqual([200, 200, 200, 200, 200, 429]);
    // beta, from the very address alpha just exhausted, still has all of its own
    expect(await statuses(d, LIMIT, '127.0.0.22', bearer(KEYS.beta))).toEqual(
      Array(LIMIT).fill(200),
    );
  });

  it('counts unknown keys against the client IP: guessing meets 429, not endless 401s', async () => {
    const guesses = await Promise.all(
      Array.from({ length: LIMIT + 3 }, (_, i) =>
        getFrom(d, '/stats', '127.0.0.31', bearer(`guess-${i}-${'x'.repeat(20)}`)),
      ),
    );
    const codes = guesses.map((g) => g.status).sort();
    expect(codes.filter((c) => c === 401)).toHaveLength(LIMIT);
    expect(codes.filter((c) => c === 429)).toHaveLength(3);
    // no key at all counts against the same IP
    expect((await getFrom(d, '/stats', '127.0.0.31')).status).toBe(429);
    // a real (unused) key from that IP is not held back by the guesses
    expect((await getFrom(d, '/stats', '127.0.0.31', bearer(KEYS.gamma))).status).toBe(200);
  });
});
