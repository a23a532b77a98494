import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

// these tests start a real dispatcher and stop a real redis-server
jest.setTimeout(120_000);

const UNKNOWN_TASK = '01JDZ0000000000000000000AB';
const SECRET = 'credential-that-no-line-may-carry';
const CREDENTIALS = {
  authorization: `Bearer ${SECRET}`,
  'x-api-key': SECRET,
  cookie: `k=${SECRET}`,
};

interface Line {
  level?: number;
  msg?: string;
  context?: string;
  req?: { id: number; method: string; url: string };
  res?: { statusCode: number };
  taskId?: string;
  responseTime?: number;
}

function jsonLines(logs: readonly string[]): Line[] {
  return logs.flatMap((l) => {
    try {
      return [JSON.parse(l) as Line];
    } catch {
      return [];
    }
  });
}

/** A dispatcher at the default LOG_LEVEL (info): what operators see of each request. */
describe('access log of a dispatcher at LOG_LEVEL=info', () => {
  let redis: OwnRedis;
  let cluster: TestCluster;
  let lines: Line[];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // the rate limit counts in Redis and warns (inside the request) when it cannot
    cluster = await TestCluster.start({
      redisUrl: redis.url,
      workers: 0,
      env: { LOG_LEVEL: 'info', RATE_LIMIT_MAX: '1000' },
    });
    expect((await cluster.request('POST', '/tasks', { type: 'echo' }, CREDENTIALS)).status).toBe(
      201,
    );
    expect(
      (await cluster.request('GET', `/tasks/${UNKNOWN_TASK}`, undefined, CREDENTIALS)).status,
    ).toBe(404);
    expect((await cluster.request('POST', '/tasks', { type: 7 }, CREDENTIALS)).status).toBe(400);
    await redis.stop();
    await waitFor(
      () => cluster.request('GET', `/tasks/${UNKNOWN_TASK}`, undefined, CREDENTIALS),
      (r) => r.status === 503,
      { what: 'a 503 while Redis is down' },
    );
    // the access line is written when the answer has gone out, which the client can see first
    lines = await waitFor(
      () => jsonLines(cluster.dispatcher.logs),
      (all) => all.some((l) => l.res?.statusCode === 503),
      { what: 'the access line of the 503' },
    );
    // back, so the cluster can clear its keys when it stops
    await redis.startProcess();
  });

  afterAll(async () => {
    await cluster?.stop();
    await redis?.destroy();
  });

  const access = (status: number): Line[] => lines.filter((l) => l.res?.statusCode === status);

  it('writes a 4xx at warn with its request id, method, URL, task id, status and time', () => {
    expect(access(404)).toEqual([
      expect.objectContaining({
        level: 40,
        req: { id: expect.any(Number), method: 'GET', url: `/tasks/${UNKNOWN_TASK}` },
        taskId: UNKNOWN_TASK,
        responseTime: expect.any(Number),
      }),
    ]);
    expect(access(400)).toEqual([
      expect.objectContaining({
        level: 40,
        req: { id: expect.any(Number), method: 'POST', url: '/tasks' },
      }),
    ]);
  });

  it('writes a 5xx at error, and no line for a success below debug', () => {
    expect(access(503).length).toBeGreaterThan(0);
    for (const line of access(503)) {
      expect(line).toMatchObject({ level: 50, msg: 'request errored', taskId: UNKNOWN_TASK });
      expect(line.req).toEqual({
        id: expect.any(Number),
        method: 'GET',
        url: `/tasks/${UNKNOWN_TASK}`,
      });
    }
    expect(access(201)).toEqual([]);
  });

  it('gives a line written inside a request the id of that request', () => {
    // the rate limit's "not counted" warning is written while the first 503 request is handled
    const warning = lines.find((l) => /rate limit not counted/.test(l.msg ?? ''));
    expect(warning).toMatchObject({ context: 'RateLimit', taskId: UNKNOWN_TASK });
    expect(access(503).map((l) => l.req!.id)).toContain(warning!.req!.id);
  });

  it('writes no header and no credential', () => {
    const output = cluster.dispatcher.logs.join('\n');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('headers');
  });
});
