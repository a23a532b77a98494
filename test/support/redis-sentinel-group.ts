import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { OwnRedis } from './redis-server';
import { waitFor } from './wait-for';

export const SENTINEL_MASTER = 'sy-primary';

/** One `redis-server --sentinel` process with its own config file (Sentinel rewrites it). */
class OwnSentinel {
  private proc: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(masterPort: number, password: string): Promise<void> {
    const conf = path.join(this.dir, 'sentinel.conf');
    fs.writeFileSync(
      conf,
      [
        `port ${this.port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
        `sentinel auth-pass ${SENTINEL_MASTER} ${password}`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
        '',
      ].join('\n'),
    );
    this.proc = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }

  async ask<T>(...args: string[]): Promise<T> {
    const client = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      return (await client.call('SENTINEL', ...args)) as T;
    } finally {
      client.disconnect();
    }
  }
}

/**
 * A primary, a replica and three Sentinels (quorum 2), all private redis-server processes on
 * free ports in temp dirs, stopped by pid. Password-protected like a real deployment.
 */
export class OwnSentinelGroup {
  readonly password = 'sentinel-test-pw';

  private constructor(
    readonly servers: OwnRedis[],
    readonly sentinels: OwnSentinel[],
    private readonly dir: string,
  ) {}

  static async start(): Promise<OwnSentinelGroup> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-sentinel-'));
    const group = new OwnSentinelGroup([], [], dir);
    const auth = ['--requirepass', group.password, '--masterauth', group.password];
    try {
      const primary = await OwnRedis.start({
        appendOnly: true,
        extraArgs: auth,
        password: group.password,
      });
      group.servers.push(primary);
      group.servers.push(
        await OwnRedis.start({
          appendOnly: true,
          extraArgs: [...auth, '--replicaof', '127.0.0.1', String(primary.port)],
          password: group.password,
        }),
      );
      for (let i = 0; i < 3; i++) {
        const sdir = fs.mkdtempSync(path.join(dir, `s${i}-`));
        const sentinel = new OwnSentinel(await freePort(), sdir);
        group.sentinels.push(sentinel);
        await sentinel.start(primary.port, group.password);
      }
      // a failover needs every Sentinel to know the replica and the other Sentinels
      await waitFor(
        () =>
          Promise.all(
            group.sentinels.map(async (s) => {
              const master = await s.ask<string[]>('MASTER', SENTINEL_MASTER);
              const field = (name: string): string => master[master.indexOf(name) + 1];
              return {
                replicas: Number(field('num-slaves')),
                others: Number(field('num-other-sentinels')),
              };
            }),
          ),
        (views) => views.every((v) => v.replicas === 1 && v.others === 2),
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: 'the Sentinels to see the replica and each other',
        },
      );
    } catch (err) {
      await group.destroy();
      throw err;
    }
    return group;
  }

  /** "host:port,..." for REDIS_SENTINELS. */
  get seeds(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The port the Sentinels currently name as primary (asks the first one that answers). */
  async primaryPort(): Promise<number> {
    for (const s of this.sentinels) {
      try {
        const [, port] = await s.ask<[string, string]>('GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER);
        return Number(port);
      } catch {
        /* try the next Sentinel */
      }
    }
    throw new Error('no Sentinel answered');
  }

  server(port: number): OwnRedis {
    const found = this.servers.find((s) => s.port === port);
    if (found === undefined) throw new Error(`no server on port ${port}`);
    return found;
  }

  /** A client straight to one server (not through the Sentinels). */
  client(port: number): Redis {
    return new Redis(port, '127.0.0.1', { password: this.password, maxRetriesPerRequest: 1 });
  }

  async destroy(): Promise<void> {
    await Promise.all(this.sentinels.map((s) => s.stop()));
    await Promise.all(this.servers.map((s) => s.destroy()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
