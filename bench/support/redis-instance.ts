import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';

/** One INFO reading: command calls, Redis CPU seconds, memory. */
export interface RedisReading {
  calls: Map<string, number>;
  /** Microseconds spent per command (a script's time includes the commands it calls). */
  usec: Map<string, number>;
  cpuSeconds: number;
  usedMemory: number;
}

/** What changed in Redis between two readings. */
export interface RedisDelta {
  scripts: number;
  commands: number;
  byCommand: Record<string, number>;
  usecByCommand: Record<string, number>;
  cpuUs: number;
  memoryBytes: number;
}

/** Commands the benchmark itself sends to take its readings; left out of the counts. */
const OWN_COMMANDS = new Set([
  'info',
  'ping',
  'config|set',
  'config|get',
  'client|setname',
  'client|setinfo',
]);
const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall']);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server (own port, own temp dir), stopped by its pid. */
export class RedisInstance {
  readonly client: Redis;

  private constructor(
    readonly port: number,
    private readonly proc: ChildProcess,
    private readonly dir: string,
  ) {
    this.client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    this.client.on('error', () => undefined); // refused until the server is up; start() polls
  }

  static async start(opts: { aof?: boolean } = {}): Promise<RedisInstance> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-bench-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
    args.push('--appendonly', opts.aof ? 'yes' : 'no', '--appendfsync', 'everysec');
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    const instance = new RedisInstance(port, proc, dir);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await instance.client.ping()) === 'PONG') break;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return instance;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  async version(): Promise<string> {
    const info = await this.client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  }

  async read(): Promise<RedisReading> {
    const [stats, cpu, memory] = await Promise.all([
      this.client.info('commandstats'),
      this.client.info('cpu'),
      this.client.info('memory'),
    ]);
    const calls = new Map<string, number>();
    const usec = new Map<string, number>();
    for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      calls.set(m[1], Number(m[2]));
      usec.set(m[1], Number(m[3]));
    }
    const num = (text: string, key: string): number =>
      Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
    return {
      calls,
      usec,
      cpuSeconds: num(cpu, 'used_cpu_sys') + num(cpu, 'used_cpu_user'),
      usedMemory: num(memory, 'used_memory'),
    };
  }

  static delta(before: RedisReading, after: RedisReading): RedisDelta {
    const byCommand: Record<string, number> = {};
    const usecByCommand: Record<string, number> = {};
    let scripts = 0;
    let commands = 0;
    for (const [name, n] of after.calls) {
      const d = n - (before.calls.get(name) ?? 0);
      if (d <= 0 || OWN_COMMANDS.has(name)) continue;
      byCommand[name] = d;
      usecByCommand[name] = (after.usec.get(name) ?? 0) - (before.usec.get(name) ?? 0);
      if (SCRIPT_COMMANDS.has(name)) scripts += d;
      else commands += d;
    }
    return {
      scripts,
      commands,
      byCommand,
      usecByCommand,
      cpuUs: (after.cpuSeconds - before.cpuSeconds) * 1e6,
      memoryBytes: after.usedMemory - before.usedMemory,
    };
  }

  /** Waits until no AOF rewrite runs (turning AOF on starts one). */
  async waitAofIdle(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const info = await this.client.info('persistence');
      if (/aof_rewrite_in_progress:0/.test(info) && !/aof_rewrite_scheduled:1/.test(info)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    if (this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc.once('exit', resolve));
      this.proc.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
