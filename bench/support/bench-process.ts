import { spawn, type ChildProcess } from 'node:child_process';

const MAX_LOG_LINES = 200;

/** A process the benchmark starts (Switchyard app or BullMQ worker), ready once it prints `readyPattern`. */
export class BenchProcess {
  readonly logs: string[] = [];
  port = 0;
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        this.logs.push(line);
        if (this.logs.length > MAX_LOG_LINES) this.logs.shift();
        const m = /listening on port (\d+)/.exec(line);
        if (m) this.port = Number(m[1]);
      }
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    this.exit = new Promise((resolve) =>
      proc.once('exit', () => {
        this.exited = true;
        resolve();
      }),
    );
  }

  static async start(
    name: string,
    script: string,
    env: Record<string, string>,
    readyPattern: RegExp,
    nodeArgs: string[] = [],
  ): Promise<BenchProcess> {
    const proc = spawn(process.execPath, [...nodeArgs, script], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new BenchProcess(name, proc);
    const deadline = Date.now() + 60_000;
    while (!p.logs.some((l) => readyPattern.test(l))) {
      if (p.exited || Date.now() > deadline) {
        throw new Error(`${name} did not start:\n${p.logs.slice(-30).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return p;
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** SIGTERM by pid, SIGKILL after the deadline. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exit;
    clearTimeout(timer);
  }
}
