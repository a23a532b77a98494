import { DispatcherHttpError, SwitchyardClient } from '@switchyard/core';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** HTTP mode against a stand-in for a dispatcher that demands an API key (issue 8's guard). */
describe('the HTTP client and API keys', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== 'Bearer s3cret') {
        res.statusCode = 401;
        res.end(
          JSON.stringify({
            statusCode: 401,
            error: 'unauthorized',
            message: 'missing or unknown API key',
          }),
        );
        return;
      }
      res.end(JSON.stringify({ id: '01JDZ0000000000000000000AA', state: 'queued' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the key as a bearer token', async () => {
    const client = SwitchyardClient.overHttp({ url, apiKey: 's3cret' });
    const view = await client.get('01JDZ0000000000000000000AA');
    expect(view.state).toBe('queued');
    expect(seen[seen.length - 1].authorization).toBe('Bearer s3cret');
  });

  it('turns a refusal into a DispatcherHttpError with status and code', async () => {
    const client = SwitchyardClient.overHttp({ url });
    const err = (await client
      .get('01JDZ0000000000000000000AA')
      .catch((e: unknown) => e)) as DispatcherHttpError;
    expect(err).toBeInstanceOf(DispatcherHttpError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(err.message).toContain('missing or unknown API key');
    expect(seen[seen.length - 1].authorization).toBeUndefined();
  });
});
