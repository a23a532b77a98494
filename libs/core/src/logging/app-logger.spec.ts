import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AccessLogMiddleware } from './access-log';
import { idsOfRequest, loggedUrl } from './app-logger.module';
import { collectedLogging, exchange } from './testing/logged-exchange';

describe('ids in request logs', () => {
  it('takes the task id or node id from the URL', () => {
    expect(idsOfRequest('/tasks/01M8D3ZHTN946B1AXM00FC59FA')).toEqual({
      taskId: '01M8D3ZHTN946B1AXM00FC59FA',
    });
    expect(idsOfRequest('/tasks/01M8D3ZHTN946B1AXM00FC59FA/retry')).toEqual({
      taskId: '01M8D3ZHTN946B1AXM00FC59FA',
    });
    expect(idsOfRequest('/nodes/worker-3/drain')).toEqual({ nodeId: 'worker-3' });
    expect(idsOfRequest('/tasks/batch')).toEqual({});
    expect(idsOfRequest(undefined)).toEqual({});
  });
});

describe('URLs in request logs', () => {
  it('replaces credential-like query values and keeps the rest', () => {
    expect(loggedUrl('/events?kind=task&access_token=s3cret')).toBe(
      '/events?kind=task&access_token=[redacted]',
    );
    expect(loggedUrl('/stats?API_KEY=s3cret&x=1')).toBe('/stats?API_KEY=[redacted]&x=1');
    expect(loggedUrl('/tasks?state=failed&limit=20')).toBe('/tasks?state=failed&limit=20');
    expect(loggedUrl(undefined)).toBeUndefined();
  });
});

describe('credentials in request logs', () => {
  const secret = 's3cret-value-never-logged';

  /** The access log as the apps configure it, at trace (every request logged), lines collected. */
  function accessLogger(): { middleware: AccessLogMiddleware; root: Logger; lines: string[] } {
    const { access, root, texts } = collectedLogging('trace');
    return { middleware: access, root, lines: texts };
  }

  const request = (status: number) => exchange(status, { method: 'POST', url: '/tasks', secret });

  it('logs a request with its method, URL and status, and none of its headers', () => {
    const { middleware, lines } = accessLogger();
    for (const status of [201, 401, 500]) {
      const { req, res } = request(status);
      middleware(req, res, () => undefined);
      res.emit('close');
    }
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const entry = JSON.parse(line) as { req: object };
      expect(entry.req).toEqual({ id: expect.any(Number), method: 'POST', url: '/tasks' });
      expect(line).not.toContain(secret);
    }
  });

  it('logs no header of a request passed to a log call, in or out of its request', () => {
    const { middleware, root, lines } = accessLogger();
    const { req, res } = request(201);
    // nestjs-pino's PinoLogger is what Nest's Logger writes through: inside a request it takes
    // the request's logger, whose `req` binding must not carry headers either
    const logger = new PinoLogger({ pinoHttp: { logger: root } as never });
    middleware(req, res, () => logger.info({ req, extra: 1 }, 'inside'));
    root.warn({ req }, 'outside');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain(secret);
  });

  it('redacts the arguments of a failed Redis command (AUTH carries the password)', () => {
    const { root, lines } = accessLogger();
    const err = Object.assign(new Error('WRONGPASS'), {
      command: { name: 'auth', args: [secret] },
    });
    root.error({ err }, 'redis');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });
});
