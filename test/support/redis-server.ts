import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A private redis-server for tests that stop, restart or partition Redis. Never touches the
 * shared one: its own port, its own temp dir, stopped by its own pid.
 */
export class OwnRedis {
  private proc: ChildProcess | undefined;
  readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly args: string[],
    private readonly password?: string,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-redis-'));
  }

  /** `password`: the server's requirepass (give it in extraArgs too), used for the readiness ping. */
  static async start(
    opts: { appendOnly?: boolean; extraArgs?: string[]; password?: string } = {},
  ): Promise<OwnRedis> {
    const port = await freePort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      opts.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      ...(opts.extraArgs ?? []),
    ];
    const redis = new OwnRedis(port, args, opts.password);
    await redis.startProcess();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async startProcess(): Promise<void> {
    this.proc = spawn('redis-server', [...this.args, '--dir', this.dir], { stdio: 'ignore' });
    await waitFor(
      () => this.ping(),
      (ok) => ok,
      { what: `redis-server on port ${this.port}` },
    );
  }

  /** Stops the server (SIGTERM by pid) and waits for its exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
    this.proc = undefined;
  }

  /** Kills the server abruptly (SIGKILL by pid), as a crash would, and waits for its exit. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    this.proc = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A raw RESP PING over TCP: unlike a failed ioredis connect, it leaves no timer behind. */
  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect(this.port, '127.0.0.1');
      let answer = '';
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.on('error', () => done(false));
      socket.on('connect', () => {
        const auth = this.password !== undefined ? `AUTH ${this.password}\r\n` : '';
        socket.write(`${auth}PING\r\n`);
      });
      socket.on('data', (chunk) => {
        answer += chunk.toString('utf8');
        if (answer.includes('+PONG')) done(true);
        else if (answer.includes('-')) done(false);
      });
    });
  }
}
