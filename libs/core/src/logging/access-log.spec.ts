import { PinoLogger } from 'nestjs-pino';
import type { SwitchyardConfig } from '../config/switchyard-config';
import { collectedLogging, exchange as exchangeOf } from './testing/logged-exchange';

const TASK_ID = '01M8D3ZHTN946B1AXM00FC59FA';
const SECRET = 'key-that-no-line-may-carry';

interface Line {
  level: number;
  msg: string;
  req: { id: number; method: string; url: string };
  res?: { statusCode: number };
  taskId?: string;
  nodeId?: string;
  err?: { message: string };
  responseTime?: number;
  context?: string;
}

/** The apps' access log at a LOG_LEVEL, its lines parsed. */
const accessLogAt = (logLevel: SwitchyardConfig['logLevel']) => collectedLogging<Line>(logLevel);

/** A GET with credentials in its headers, answered `status`. */
const exchange = (status: number, url = `/tasks/${TASK_ID}`) =>
  exchangeOf(status, { url, secret: SECRET });

describe('access log', () => {
  it('writes a 4xx at warn and a 5xx at error, each with its request id, ids, status and time', () => {
    const { access, lines } = accessLogAt('info');
    for (const status of [404, 503]) {
      const { req, res } = exchange(status);
      access(req, res, () => undefined);
      res.emit('close');
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'request completed',
        req: { id: 1, method: 'GET', url: `/tasks/${TASK_ID}` },
        taskId: TASK_ID,
        res: { statusCode: 404 },
        responseTime: expect.any(Number),
      }),
      expect.objectContaining({
        level: 50,
        msg: 'request errored',
        req: { id: 2, method: 'GET', url: `/tasks/${TASK_ID}` },
        taskId: TASK_ID,
        res: { statusCode: 503 },
        err: expect.objectContaining({ message: 'failed with status code 503' }),
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(JSON.stringify(lines)).not.toContain('headers');
  });

  it('writes an error event of the response at error, whatever the status', () => {
    const { access, lines } = accessLogAt('info');
    const { req, res } = exchange(200, '/nodes/w-1/drain');
    access(req, res, () => undefined);
    res.emit('error', new Error('socket gone'));
    res.emit('close');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        nodeId: 'w-1',
        err: expect.objectContaining({ message: 'socket gone' }),
      }),
    ]);
  });

  it('writes a response that carries an error (res.err) at error, whatever the status', () => {
    const { access, lines } = accessLogAt('info');
    const { req, res } = exchange(200, '/nodes/w-1/drain');
    access(req, res, () => undefined);
    Object.assign(res, { err: new Error('handler failed after answering') });
    res.emit('close');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'request errored',
        err: expect.objectContaining({ message: 'handler failed after answering' }),
      }),
    ]);
  });

  it('writes a successful request at debug only when LOG_LEVEL shows debug, and once', () => {
    const debug = accessLogAt('debug');
    const { req, res } = exchange(201, '/tasks');
    debug.access(req, res, () => undefined);
    res.emit('finish');
    res.emit('close');
    expect(debug.lines).toEqual([
      expect.objectContaining({
        level: 20,
        msg: 'request completed',
        req: { id: 1, method: 'GET', url: '/tasks' },
        res: { statusCode: 201 },
      }),
    ]);
    expect(debug.lines[0]).not.toHaveProperty('taskId');
  });

  it('builds nothing for a successful request below debug: no line, no child logger', () => {
    const { access, root, lines } = accessLogAt('info');
    const child = jest.spyOn(root, 'child');
    const { req, res } = exchange(201, '/tasks');
    access(req, res, () => undefined);
    res.emit('close');
    expect(lines).toEqual([]);
    expect(child).not.toHaveBeenCalled();
  });

  it("gives lines logged while a request is handled the request's id and ids, after awaits too", async () => {
    const { access, root, lines } = accessLogAt('info');
    const logger = new PinoLogger({
      pinoHttp: { logger: root } as never,
      renameContext: 'context',
    });
    logger.setContext('HTTP');
    const { req, res } = exchange(500);
    let handled: Promise<void> = Promise.resolve();
    access(req, res, () => {
      handled = (async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        logger.error('unexpected error: boom');
      })();
    });
    await handled;
    res.emit('close');
    expect(lines[0]).toEqual(
      expect.objectContaining({
        level: 50,
        msg: 'unexpected error: boom',
        context: 'HTTP',
        req: { id: 1, method: 'GET', url: `/tasks/${TASK_ID}` },
        taskId: TASK_ID,
      }),
    );
    expect(lines[1]).toEqual(expect.objectContaining({ msg: 'request errored', taskId: TASK_ID }));
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
