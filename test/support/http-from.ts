import * as http from 'node:http';
import type { AppProcess } from './app-process';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A GET from a chosen loopback address (127.0.0.0/8 is all ours): another client IP. */
export function getFrom(
  target: AppProcess,
  path: string,
  localAddress = '127.0.0.1',
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: target.port, path, localAddress, headers, agent: false },
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
