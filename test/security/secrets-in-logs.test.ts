import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';
import { bearer, makeTestKeys } from './api-keys.fixture';

/** A real dispatcher logging every request (LOG_LEVEL=trace): no key may reach its output. */
describe('API keys never reach logs or error responses', () => {
  const keys = makeTestKeys();
  const wrongKey = `wrong-${keys.all.key.slice(5)}`;
  let cluster: TestCluster;
  const bodies: string[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: 0,
      env: { API_KEYS: keys.apiKeys, LOG_LEVEL: 'trace' },
    });
    const requests: Array<[string, string, Record<string, string>]> = [
      ['GET', '/stats', bearer(keys.only['tasks:read'])],
      ['GET', '/stats', bearer(wrongKey)],
      ['GET', '/stats', bearer(keys.without['tasks:read'])],
      ['POST', '/tasks', bearer(keys.only['tasks:write'])],
      ['POST', '/tasks', bearer(keys.without['tasks:write'])],
      ['GET', '/docs/openapi.json', bearer(wrongKey)],
      ['GET', '/metrics', { 'x-api-key': keys.all.key, cookie: `k=${keys.all.key}` }],
      ['GET', '/tasks/01JDZ0000000000000000000AA', bearer(keys.all)],
      // keys are never taken from a query string, and a client that sends one is not logged with it
      ['GET', `/stats?access_token=${keys.all.key}`, {}],
    ];
    for (const [method, path, headers] of requests) {
      const answer = await cluster.request(
        method,
        path,
        method === 'POST' ? {} : undefined,
        headers,
      );
      bodies.push(JSON.stringify(answer.body));
    }
    // the access log line is written when the answer has gone out, which the client can see
    // first: wait for the last request's line before stopping (a full run under load once
    // stopped the process before it)
    await waitFor(
      () => cluster.dispatchers[0].logsMatching(/access_token=/).length,
      (n) => n > 0,
      { what: 'the access log line of the last request' },
    );
    // stopping flushes everything the process had to say
    await cluster.dispatchers[0].stop('SIGTERM');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('logged the requests it was sent (the logs are there to search)', () => {
    const logs = cluster.dispatchers[0].logs;
    expect(logs.filter((l) => l.includes('/stats?access_token=[redacted]'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('"/stats"') && /"statusCode":403/.test(l))).not.toEqual(
      [],
    );
    expect(logs.filter((l) => l.includes('"/stats"') && /"statusCode":401/.test(l))).not.toEqual(
      [],
    );
    expect(logs.filter((l) => l.includes('"/stats"') && /"statusCode":200/.test(l))).not.toEqual(
      [],
    );
  });

  it('prints no key, right, wrong or lacking scope, anywhere in its stdout and stderr', () => {
    const output = cluster.dispatchers[0].logs.join('\n');
    const secrets = [keys.all, keys.only['tasks:read'], keys.without['tasks:read']].map(
      (k) => k.key,
    );
    for (const secret of [...secrets, wrongKey, keys.only['tasks:write'].key]) {
      expect(output).not.toContain(secret);
      // nor a telling part of it
      expect(output).not.toContain(secret.slice(-24));
    }
  });

  it('echoes no key in its 401 and 403 answers', () => {
    expect(bodies.length).toBe(9);
    const all = bodies.join('\n');
    expect(all).toContain('"statusCode":401');
    expect(all).toContain('"statusCode":403');
    for (const secret of [keys.all.key, wrongKey, keys.without['tasks:read'].key]) {
      expect(all).not.toContain(secret.slice(-24));
    }
  });
});
