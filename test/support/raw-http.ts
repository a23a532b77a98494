import * as http from 'node:http';

/** What the fuzz sends: the path goes out byte for byte (`..`, bad escapes, high bytes). */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type RawAnswer =
  | { kind: 'answer'; status: number; contentType: string; body: string; location?: string }
  | { kind: 'dropped'; error: string };

/** Most of an answer kept for a failure message; the rest is read and discarded. */
const KEPT_BODY_CHARS = 2000;

/**
 * One request on its own connection through node:http (fetch would normalise the path and
 * refuse some header values). A connection reset, an unparsable answer or no answer within
 * `timeoutMs` is "dropped". A streaming answer (SSE) counts from its status line.
 */
export function rawRequest(port: number, req: RawRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: RawAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    let outgoing: http.ClientRequest;
    try {
      outgoing = http.request({
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        headers: {
          // keep-alive: after an early answer (413, 404 before the body is read) the server reads
          // and discards the rest of the body; with "close" it shuts the socket on unread data,
          // the kernel answers the upload with a reset, and the answer is lost on the way
          connection: 'keep-alive',
          ...req.headers,
          ...(req.body !== undefined && { 'content-length': Buffer.byteLength(req.body) }),
        },
        agent: false,
      });
    } catch (err) {
      // the client itself refused to send it: a bug in the generator, not in the server
      throw new Error(`unsendable request ${JSON.stringify(req).slice(0, 300)}: ${String(err)}`);
    }
    const timer = setTimeout(() => {
      settle({ kind: 'dropped', error: `no answer within ${timeoutMs} ms` });
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on('error', (err) => settle({ kind: 'dropped', error: String(err) }));
    outgoing.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.startsWith('text/event-stream')) {
        settle({ kind: 'answer', status, contentType, body: '' });
        res.destroy();
        outgoing.destroy();
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < KEPT_BODY_CHARS) body += chunk.slice(0, KEPT_BODY_CHARS - body.length);
      });
      res.on('end', () => {
        settle({ kind: 'answer', status, contentType, body, location: res.headers.location });
        outgoing.destroy(); // one connection per request
      });
      res.on('error', (err) => settle({ kind: 'dropped', error: `while reading: ${String(err)}` }));
    });
    outgoing.end(req.body);
  });
}
