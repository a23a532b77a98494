import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { SwitchyardConfig } from '../../config/switchyard-config';
import { appLogging } from '../app-logger.module';

/**
 * The dispatcher's logging at `logLevel`, every line kept as written (`texts`) and parsed
 * (`lines`).
 */
export function collectedLogging<Line = Record<string, unknown>>(
  logLevel: SwitchyardConfig['logLevel'],
) {
  const texts: string[] = [];
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      texts.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const logging = appLogging('dispatcher', { logLevel, logPretty: false, nodeId: 'n1' }, sink);
  return { ...logging, texts, lines };
}

/**
 * A request carrying `secret` in every credential header (no log line may show it), and a
 * response that has answered `status`; emit 'close' on it to end the exchange.
 */
export function exchange(
  status: number,
  { method = 'GET', url, secret }: { method?: string; url: string; secret: string },
): { req: IncomingMessage; res: ServerResponse } {
  const req = {
    method,
    url,
    originalUrl: url,
    headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret, cookie: `k=${secret}` },
  } as unknown as IncomingMessage;
  const res = Object.assign(new EventEmitter(), {
    statusCode: status,
    headersSent: true,
    writableEnded: true,
  }) as unknown as ServerResponse;
  return { req, res };
}
