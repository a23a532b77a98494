import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { waitFor } from './wait-for';

const ROOT = path.resolve(__dirname, '..', '..');
export const DISPATCHER_MAIN = path.join(ROOT, 'dist/apps/dispatcher/main.js');
export const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/main.js');
const MAX_LOG_LINES = 5000;

/** A real dispatcher or worker process (built output), with its logs and its HTTP port. */
export class AppProcess {
  readonly logs: string[] = [];
  port = 0;
  /** Stopped with SIGSTOP and not yet continued: it will not answer. */
  paused = false;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    // a chunk may end inside a line: the part after its last newline waits for the next chunk
    const partial = { stdout: '', stderr: '' };
    const collect = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
      const lines = (partial[stream] + chunk.toString('utf8')).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        this.logs.push(line);
        if (this.logs.length > MAX_LOG_LINES) this.logs.shift();
        const m = /listening on port (\d+)/.exec(line);
        if (m) this.port = Number(m[1]);
      }
    };
    proc.stdout?.on('data', (chunk: Buffer) => collect('stdout', chunk));
    proc.stderr?.on('data', (chunk: Buffer) => collect('stderr', chunk));
    proc.stdout?.once('end', () => collect('stdout', Buffer.from('\n')));
    proc.stderr?.once('end', () => collect('stderr', Buffer.from('\n')));
    proc.once('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? null : code);
    });
    // 'close' comes after 'exit' once stdout and stderr are drained: the last log lines are in
    this.exited = new Promise((resolve) => proc.once('close', (code) => resolve(code)));
  }

  /** Starts `main` with `env` and waits until it listens. */
  static async start(
    name: string,
    main: string,
    env: Record<string, string>,
    timeoutMs = 30_000,
  ): Promise<AppProcess> {
    const proc = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(name, proc);
    try {
      await waitFor(
        () => ({ port: app.port, exited: app.exitCode !== undefined }),
        (s) => s.port > 0 || s.exited,
        { timeoutMs, what: `${name} to listen` },
      );
    } catch (err) {
      // never leave a half-started process behind
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${app.logs.slice(-40).join('\n')}`);
    }
    if (app.port === 0) {
      // 'exit' can come before the last output is read: 'close' (stdout and stderr drained) has it
      await app.exited;
      throw new Error(`${name} exited before listening:\n${app.logs.slice(-40).join('\n')}`);
    }
    return app;
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    this.proc.kill(sig);
    if (sig === 'SIGSTOP') this.paused = true;
    if (sig === 'SIGCONT') this.paused = false;
  }

  /** Sends `sig` and waits for the exit; SIGKILL if it outlives `timeoutMs`. Returns the exit code. */
  async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    if (this.paused) this.signal('SIGCONT'); // a stopped process cannot handle SIGTERM
    this.proc.kill(sig);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  waitExit(): Promise<number | null> {
    return this.exited;
  }

  logsMatching(pattern: RegExp): string[] {
    return this.logs.filter((l) => pattern.test(l));
  }
}
