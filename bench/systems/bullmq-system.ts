import * as path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { BenchProcess } from '../support/bench-process';
import type { RedisInstance } from '../support/redis-instance';
import { until } from '../support/stats';
import { payloadFor, type HandlerKind, type SystemUnderTest } from './system-under-test';

const WORKER_SCRIPT = path.join(__dirname, '..', 'bullmq-worker.js');
const QUEUE = 'bench';
/** A completion wait with no news for this long looks the jobs up (see settle). */
const QUIET_MS = 1000;
/** Jobs looked up per quiet second (bounded; the rest on the next one). */
const LOOKUP_MAX = 5000;
/** The whole wait ends with an error after this long (as our client's timeoutMs in the bench). */
const WAIT_DEADLINE_MS = 300_000;

/** BullMQ as its users run it: a Queue to add jobs, QueueEvents to learn completions, worker processes. */
export class BullmqSystem implements SystemUnderTest {
  readonly name = 'bullmq';
  private workers: BenchProcess[] = [];
  private readonly waiting = new Map<string, () => void>();
  /** Completions heard before their add call returned (bounded by one batch). */
  private readonly early = new Set<string>();

  private constructor(
    readonly redis: RedisInstance,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly profileDir: string | undefined,
  ) {
    events.on('completed', ({ jobId }) => {
      const done = this.waiting.get(jobId);
      if (done === undefined) {
        this.early.add(jobId);
        return;
      }
      this.waiting.delete(jobId);
      done();
    });
  }

  static async start(
    redis: RedisInstance,
    opts: { profileDir?: string } = {},
  ): Promise<BullmqSystem> {
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const queue = new Queue(QUEUE, { connection });
    const events = new QueueEvents(QUEUE, { connection });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new BullmqSystem(redis, queue, events, opts.profileDir);
  }

  workerPids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  dispatcherPids(): number[] {
    return [];
  }

  async startWorkers(count: number, slots: number): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const name = `bullmq-w${this.workers.length + i + 1}`;
        const env = { REDIS_URL: this.redis.url, QUEUE, CONCURRENCY: String(slots) };
        const args =
          this.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`];
        return BenchProcess.start(name, WORKER_SCRIPT, env, /bullmq worker ready/, args);
      }),
    );
    this.workers.push(...started);
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    this.workers = [];
  }

  private completion(id: string): Promise<void> {
    if (this.early.delete(id)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  async runBatch(kind: HandlerKind, count: number, batchSize: number): Promise<void> {
    const waits: Promise<void>[] = [];
    this.early.clear();
    const data = payloadFor(kind);
    for (let sent = 0; sent < count; sent += batchSize) {
      const n = Math.min(batchSize, count - sent);
      const jobs = await this.queue.addBulk(
        Array.from({ length: n }, () => ({ name: kind, data })),
      );
      for (const job of jobs) waits.push(this.completion(job.id as string));
    }
    await this.settle(Promise.all(waits), count);
  }

  /**
   * Waits for `all`, the QueueEvents completions. BullMQ trims its events stream (~10,000
   * entries): a listener that falls further behind under load never hears some completions. So
   * after each quiet second the jobs still waited for are looked up (the same fallback our client
   * has), and the whole wait has a deadline.
   */
  private async settle(all: Promise<unknown>, count: number): Promise<void> {
    let finished = false;
    void all.then(() => (finished = true));
    const deadline = Date.now() + WAIT_DEADLINE_MS;
    let seen = this.waiting.size;
    while (!finished) {
      await Promise.race([all, new Promise((r) => setTimeout(r, QUIET_MS))]);
      if (finished) return;
      if (Date.now() > deadline)
        throw new Error(`BullMQ: ${this.waiting.size} of ${count} jobs never completed`);
      if (this.waiting.size !== seen) {
        seen = this.waiting.size;
        continue;
      }
      const ids = [...this.waiting.keys()].slice(0, LOOKUP_MAX);
      const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
      ids.forEach((id, i) => {
        if (states[i] !== 'completed') return;
        this.waiting.get(id)?.();
        this.waiting.delete(id);
      });
      seen = this.waiting.size;
    }
  }

  async runOne(kind: HandlerKind): Promise<void> {
    const job = await this.queue.add(kind, payloadFor(kind));
    await job.waitUntilFinished(this.events, 60_000);
  }

  /** Queue.add from `concurrency` callers (BullMQ has no HTTP API; this is its single-submit path). */
  async submitSingles(concurrency: number, durationMs: number): Promise<number> {
    const until = Date.now() + durationMs;
    let accepted = 0;
    const data = payloadFor('noop');
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          await this.queue.add('noop', data);
          accepted++;
        }
      }),
    );
    return accepted;
  }

  async drain(): Promise<void> {
    await until(
      async () => this.queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed'),
      (c) => Object.values(c).every((n) => n === 0),
      'BullMQ to drain',
    );
  }

  async enqueueOnly(count: number, batchSize: number): Promise<void> {
    const data = payloadFor('noop');
    for (let sent = 0; sent < count; sent += batchSize) {
      const n = Math.min(batchSize, count - sent);
      await this.queue.addBulk(Array.from({ length: n }, () => ({ name: 'noop', data })));
    }
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.events.close();
    await this.queue.close();
  }
}
