import { createServer, connect, type Server, type Socket } from 'node:net';
import { DispatcherHttpError, SwitchyardClient, WaitTimeoutError } from '@switchyard/core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

type Mode = 'forward' | 'drop' | 'busy';

/**
 * A TCP stand-in between the client and a real dispatcher: forwards, hangs up on every
 * connection (a dispatcher restarting), or answers 503 (a dispatcher that cannot reach Redis).
 */
class Outage {
  mode: Mode = 'forward';
  dropped = 0;
  busy = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  constructor(private readonly targetPort: number) {
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /**
   * An outage also ends the connections open so far (the client's pooled keep-alive ones), so
   * its next request meets it. Forwarding again ends none: a request sent at once on a pooled
   * connection this closed would fail before it knew.
   */
  set(mode: Mode): void {
    this.mode = mode;
    if (mode !== 'forward') for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.set('drop');
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.mode === 'drop') {
      this.dropped++;
      socket.destroy();
    } else if (this.mode === 'busy') {
      socket.once('data', () => {
        this.busy++;
        const body = '{"error":"redis_unavailable","message":"Redis is not reachable"}';
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n` +
            `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      });
    } else {
      const upstream = connect(this.targetPort, '127.0.0.1');
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
    }
  }
}

/** The HTTP client's waitFor against a dispatcher that goes away and comes back. */
describe('the HTTP client waiting through dispatcher outages', () => {
  let cluster: TestCluster;
  let outage: Outage;
  let client: SwitchyardClient;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0 });
    outage = new Outage(cluster.dispatcher.port);
    client = SwitchyardClient.overHttp({ url: await outage.listen(), requestTimeoutMs: 5_000 });
  });

  afterEach(() => outage.set('forward'));

  afterAll(async () => {
    await client?.close();
    await outage?.close();
    await cluster?.stop();
  });

  it('keeps polling through hang-ups and 503 answers, then settles once a worker finishes', async () => {
    const { id } = await client.submit('echo', { through: 'outages' });
    outage.set('drop');
    let settled = false;
    const wait = client.waitFor([id], { pollIntervalMs: 20, timeoutMs: 60_000 });
    void wait.then(
      () => (settled = true),
      () => (settled = true),
    );

    // a wait that gave up would stop polling: wait for the polls, or for the wait to end
    await waitFor(() => outage.dropped >= 3 || settled, Boolean, { what: 'polls hung up on' });
    expect(settled).toBe(false);
    outage.set('busy');
    await waitFor(() => outage.busy >= 3 || settled, Boolean, { what: 'polls answered 503' });
    expect(settled).toBe(false);

    outage.set('forward');
    await cluster.startWorker();
    const [view] = await wait;
    expect(view).toMatchObject({ id, state: 'succeeded', result: { through: 'outages' } });
  });

  it('ends at its timeout naming the last failed read when the dispatcher never answers', async () => {
    const { id } = await client.submit('no-such-handler', {});
    outage.set('drop');
    const err = await client.waitFor([id], { pollIntervalMs: 20, timeoutMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
    // undici's TypeError comes from another realm than the test's: compared by its text
    expect(String((err as WaitTimeoutError).lastReadError)).toContain('fetch failed');
    expect((err as Error).message).toContain('1 task(s) did not finish within 300 ms');
    expect((err as Error).message).toContain('the last read of them failed');
  });

  it('ends at once on an answer that polling again would not change (404)', async () => {
    const unknown = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const err = await client.waitFor([unknown], { pollIntervalMs: 20, timeoutMs: 60_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DispatcherHttpError);
    expect(err).toMatchObject({ status: 404 });
  });
});
