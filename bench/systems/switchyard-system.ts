import * as path from 'node:path';
import { loadConfig, SwitchyardClient, type TaskInput } from '@switchyard/core';
import { BenchProcess } from '../support/bench-process';
import type { RedisInstance } from '../support/redis-instance';
import { until } from '../support/stats';
import { payloadFor, type HandlerKind, type SystemUnderTest } from './system-under-test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const DISPATCHER_MAIN = path.join(ROOT, 'dist/apps/dispatcher/main.js');
export const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/main.js');
export const BENCH_PREFIX = 'bench';

/** Env shared by the benchmark's Switchyard processes: quiet logs, no node ever declared dead mid-run. */
export function switchyardEnv(
  redisUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    SWITCHYARD_PREFIX: BENCH_PREFIX,
    LOG_LEVEL: 'info',
    // the bench measures scheduling, not key checks or per-client limits: no API keys, and
    // no rate limit (the default 6,000 per minute would cap the single-submit row at 100/s)
    SWITCHYARD_INSECURE_NO_AUTH: 'true',
    RATE_LIMIT_MAX: '0',
    ...tuning(),
    ...extra,
  };
}

/** `BENCH_SWITCHYARD_ENV='{"REPORT_LINGER_MS":"0"}'`: try a setting without editing the defaults. */
function tuning(): Record<string, string> {
  const raw = process.env.BENCH_SWITCHYARD_ENV;
  return raw === undefined || raw === '' ? {} : (JSON.parse(raw) as Record<string, string>);
}

const READY = /listening on port/;

/** Switchyard: one dispatcher process, worker processes, the programmatic client. */
export class SwitchyardSystem implements SystemUnderTest {
  readonly name = 'switchyard';
  private workers: BenchProcess[] = [];
  private workerSeq = 0;

  private constructor(
    readonly redis: RedisInstance,
    readonly dispatcher: BenchProcess,
    readonly client: SwitchyardClient,
    private readonly profileDir: string | undefined,
  ) {}

  static async start(
    redis: RedisInstance,
    opts: { profileDir?: string } = {},
  ): Promise<SwitchyardSystem> {
    const dispatcher = await BenchProcess.start(
      'dispatcher',
      DISPATCHER_MAIN,
      switchyardEnv(redis.url),
      READY,
      profileArgs(opts.profileDir, 'dispatcher'),
    );
    const client = new SwitchyardClient(loadConfig(switchyardEnv(redis.url)));
    await client.connect();
    return new SwitchyardSystem(redis, dispatcher, client, opts.profileDir);
  }

  workerPids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  dispatcherPids(): number[] {
    return [this.dispatcher.pid];
  }

  get httpUrl(): string {
    return this.dispatcher.url;
  }

  async startWorkers(count: number, slots: number): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: count }, () => {
        const id = `bench-w${++this.workerSeq}`;
        const env = switchyardEnv(this.redis.url, { NODE_ID: id, WORKER_SLOTS: String(slots) });
        return BenchProcess.start(id, WORKER_MAIN, env, READY, profileArgs(this.profileDir, id));
      }),
    );
    this.workers.push(...started);
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    this.workers = [];
  }

  async runBatch(kind: HandlerKind, count: number, batchSize: number): Promise<void> {
    const waits: Promise<unknown>[] = [];
    const input: TaskInput = { type: kind, payload: payloadFor(kind) };
    for (let sent = 0; sent < count; sent += batchSize) {
      const n = Math.min(batchSize, count - sent);
      const outcomes = await this.client.submitBatch(Array.from({ length: n }, () => input));
      // listen per batch at once, so no finished notification passes before we listen
      // states only, as BullMQ's QueueEvents gives ids: no task's whole view is kept meanwhile
      const wait = this.client.waitForStates(
        outcomes.map((o) => o.id),
        { timeoutMs: 300_000 },
      );
      // a wait that fails while later batches are still being sent is reported by Promise.all
      // below, not as an unhandled rejection that ends the bench
      wait.catch(() => undefined);
      waits.push(wait);
    }
    await Promise.all(waits);
  }

  async runOne(kind: HandlerKind): Promise<void> {
    const { id } = await this.client.submit({ type: kind, payload: payloadFor(kind) });
    await this.client.waitFor([id], { timeoutMs: 60_000 });
  }

  /** Single `POST /tasks` under autocannon. */
  async submitSingles(concurrency: number, durationMs: number): Promise<number> {
    // autocannon ships no types; its programmatic API is documented in its README
    const autocannon = require('autocannon') as (opts: object) => Promise<{ '2xx': number }>;
    const result = await autocannon({
      url: `${this.httpUrl}/tasks`,
      method: 'POST',
      connections: concurrency,
      duration: durationMs / 1000,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'noop', payload: payloadFor('noop') }),
    });
    return result['2xx'];
  }

  /** `POST /tasks/batch`, batch after batch, each waited for through the client. */
  async runHttpBatch(kind: HandlerKind, count: number, batchSize: number): Promise<void> {
    const waits: Promise<unknown>[] = [];
    const body = (n: number): string =>
      JSON.stringify({
        tasks: Array.from({ length: n }, () => ({ type: kind, payload: payloadFor(kind) })),
      });
    for (let sent = 0; sent < count; sent += batchSize) {
      const n = Math.min(batchSize, count - sent);
      const res = await fetch(`${this.httpUrl}/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(n),
      });
      if (res.status !== 201)
        throw new Error(`POST /tasks/batch answered ${res.status}: ${await res.text()}`);
      const { tasks } = (await res.json()) as { tasks: { id: string }[] };
      waits.push(
        this.client.waitForStates(
          tasks.map((t) => t.id),
          { timeoutMs: 300_000 },
        ),
      );
    }
    await Promise.all(waits);
  }

  async drain(): Promise<void> {
    const base = `{${BENCH_PREFIX}}:`;
    const ids = this.workers.map((w) => w.name);
    await until(
      async () => {
        const counts = await Promise.all([
          this.redis.client.zcard(`${base}q:noop`),
          ...ids.map((id) => this.redis.client.zcard(`${base}nl:${id}`)),
        ]);
        return counts.reduce((a, b) => a + b, 0);
      },
      (n) => n === 0,
      'Switchyard to drain',
    );
  }

  async enqueueOnly(count: number, batchSize: number): Promise<void> {
    const input: TaskInput = { type: 'noop', payload: payloadFor('noop') };
    for (let sent = 0; sent < count; sent += batchSize) {
      await this.client.submitBatch(
        Array.from({ length: Math.min(batchSize, count - sent) }, () => input),
      );
    }
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.dispatcher.stop();
    await this.client.close();
  }
}

function profileArgs(dir: string | undefined, name: string): string[] {
  return dir === undefined
    ? []
    : ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
}
