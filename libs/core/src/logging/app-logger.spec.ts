import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AccessLogMiddleware } from './access-log';
import { appLogging, idsOfRequest, loggedUrl } from './app-logger.module';

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
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { access, root } = appLogging(
      'dispatcher',
      { logLevel: 'trace', logPretty: false, nodeId: 'n1' },
      sink,
    );
    return { middleware: access, root, lines };
  }

  function request(status: number): { req: IncomingMessage; res: ServerResponse } {
    const req = {
      method: 'POST',
      url: '/tasks',
      headers: {
        authorization: `Bearer ${secret}`,
        cookie: `k=${secret}`,
        'x-api-key': secret,
      },
    } as unknown as IncomingMessage;
    const res = Object.assign(new EventEmitter(), {
      statusCode: status,
      headersSent: true,
      writableEnded: true,
    }) as unknown as ServerResponse;
    return { req, res };
  }

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
