import type { AppProcess } from '../support/app-process';
import { TestCluster } from '../support/test-cluster';

const ALLOWED = 'https://ops.example.com';
const OTHER_ALLOWED = 'http://localhost:8080';
const DISALLOWED = 'https://evil.example.net';

function preflight(target: AppProcess, origin: string): Promise<Response> {
  return fetch(`${target.url}/tasks`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization',
    },
  });
}

function simpleGet(target: AppProcess, origin: string): Promise<Response> {
  return fetch(`${target.url}/stats`, { headers: { origin } });
}

describe('HTTP security headers and CORS', () => {
  let cluster: TestCluster;
  let plain: AppProcess;
  let withCors: AppProcess;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 1 });
    plain = cluster.dispatcher;
    withCors = await cluster.startDispatcher({ CORS_ORIGINS: `${ALLOWED}, ${OTHER_ALLOWED}` });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it.each(['/stats', '/', '/docs', '/tasks/nope'])(
    'sends helmet headers and a self-only CSP on %s',
    async (path) => {
      const res = await fetch(`${plain.url}${path}`);
      await res.arrayBuffer();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("script-src-attr 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    },
  );

  it("sends helmet headers on a worker's health port", async () => {
    const [worker] = cluster.workers.values();
    const res = await fetch(`${worker.url}/health/live`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('sends no CORS headers at all when CORS_ORIGINS is unset', async () => {
    for (const origin of [ALLOWED, DISALLOWED]) {
      const pre = await preflight(plain, origin);
      await pre.arrayBuffer();
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      const get = await simpleGet(plain, origin);
      await get.arrayBuffer();
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('answers a preflight from an allowed origin, naming that origin only', async () => {
    for (const origin of [ALLOWED, OTHER_ALLOWED]) {
      const pre = await preflight(withCors, origin);
      await pre.arrayBuffer();
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
      expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
        'authorization',
      );
      expect(pre.headers.get('vary')).toMatch(/origin/i);
    }
  });

  it('lets an allowed origin read a simple response', async () => {
    const get = await simpleGet(withCors, ALLOWED);
    await get.arrayBuffer();
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(get.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('gives a disallowed origin, or a near miss of an allowed one, no CORS headers', async () => {
    for (const origin of [DISALLOWED, `${ALLOWED}.evil.net`, 'http://ops.example.com', 'null']) {
      const pre = await preflight(withCors, origin);
      await pre.arrayBuffer();
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const get = await simpleGet(withCors, origin);
      await get.arrayBuffer();
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('refuses to start with a CORS_ORIGINS entry that is not an exact origin', async () => {
    await expect(
      cluster.startDispatcher({ CORS_ORIGINS: 'https://ok.example.com/path' }),
    ).rejects.toThrow(/CORS_ORIGINS/);
  });
});
