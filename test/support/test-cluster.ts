import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AppProcess, DISPATCHER_MAIN, WORKER_MAIN } from './app-process';
import { authHeaders } from './auth-headers';
import { SHARED_REDIS_URL } from './redis-server';
import { waitFor } from './wait-for';

/** Short timings so failure handling shows within a test's patience. */
export const FAST_TIMINGS: Record<string, string> = {
  HEARTBEAT_INTERVAL_MS: '200',
  NODE_SUSPECT_AFTER_MS: '1000',
  NODE_DEAD_AFTER_MS: '2000',
  HEALTH_CHECK_INTERVAL_MS: '200',
  CLAIM_INTERVAL_MS: '500',
  LEADER_LEASE_TTL_MS: '2000',
  LEADER_RENEW_INTERVAL_MS: '300',
  LOG_LEVEL: 'info',
  // tests without API_KEYS run open; tests of the guard set API_KEYS (docs/security.md)
  SWITCHYARD_INSECURE_NO_AUTH: 'true',
  // tests that exercise the rate limit set it themselves
  RATE_LIMIT_MAX: '0',
};

export interface WorkerSpec {
  id?: string;
  slots?: number;
  labels?: string;
  types?: string;
  env?: Record<string, string>;
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Real dispatcher and worker processes on a private key prefix (and optionally a private
 * Redis). Stops every process by pid and deletes every key of its prefix.
 */
export class TestCluster {
  readonly dispatchers: AppProcess[] = [];
  readonly workers = new Map<string, AppProcess>();
  readonly redis: Redis;
  private workerCount = 0;

  private constructor(
    readonly prefix: string,
    readonly redisUrl: string,
    readonly env: Record<string, string>,
  ) {
    this.redis = new Redis(redisUrl, {
      maxRetriesPerRequest: 1,
      retryStrategy: (t) => Math.min(t * 100, 1000),
    });
  }

  static async start(
    opts: {
      workers?: number | WorkerSpec[];
      dispatchers?: number;
      env?: Record<string, string>;
      redisUrl?: string;
    } = {},
  ): Promise<TestCluster> {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    const cluster = new TestCluster(prefix, opts.redisUrl ?? SHARED_REDIS_URL, {
      ...FAST_TIMINGS,
      ...opts.env,
    });
    try {
      for (let i = 0; i < (opts.dispatchers ?? 1); i++) await cluster.startDispatcher();
      const specs =
        typeof opts.workers === 'number'
          ? Array.from({ length: opts.workers }, () => ({}))
          : (opts.workers ?? []);
      await Promise.all(specs.map((s) => cluster.startWorker(s)));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The first dispatcher that runs and is not paused: where `request` goes. */
  get dispatcher(): AppProcess {
    const live = this.dispatchers.find((d) => d.running && !d.paused);
    if (live === undefined) throw new Error('no dispatcher is running');
    return live;
  }

  private baseEnv(): Record<string, string> {
    return { REDIS_URL: this.redisUrl, SWITCHYARD_PREFIX: this.prefix, ...this.env };
  }

  async startDispatcher(env: Record<string, string> = {}): Promise<AppProcess> {
    const d = await AppProcess.start(`dispatcher-${this.dispatchers.length + 1}`, DISPATCHER_MAIN, {
      ...this.baseEnv(),
      ...env,
    });
    this.dispatchers.push(d);
    return d;
  }

  /** Starts a worker and waits until the registry lists it alive. */
  async startWorker(spec: WorkerSpec = {}): Promise<AppProcess> {
    const id = spec.id ?? `w${++this.workerCount}-${randomBytes(2).toString('hex')}`;
    const env: Record<string, string> = { ...this.baseEnv(), NODE_ID: id, ...spec.env };
    if (spec.slots !== undefined) env.WORKER_SLOTS = String(spec.slots);
    if (spec.labels !== undefined) env.WORKER_LABELS = spec.labels;
    if (spec.types !== undefined) env.WORKER_TYPES = spec.types;
    const w = await AppProcess.start(`worker-${id}`, WORKER_MAIN, env);
    this.workers.set(id, w);
    await this.waitForNode(id, (n) => n.status === 'alive');
    return w;
  }

  async waitForNode(
    id: string,
    predicate: (node: any) => boolean,
    timeoutMs = 20_000,
  ): Promise<any> {
    const answer = await waitFor(
      () => this.get('/nodes'),
      (r) => r.status === 200 && r.body.nodes.some((n: any) => n.id === id && predicate(n)),
      { timeoutMs, what: `node ${id}` },
    );
    return answer.body.nodes.find((n: any) => n.id === id);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    return this.requestTo(this.dispatcher, method, path, body, headers);
  }

  /** A request to one particular process (a given dispatcher, or a worker's HTTP port). */
  async requestTo<T = any>(
    target: AppProcess,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const res = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        ...authHeaders(this.env),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string): Promise<HttpAnswer<T>> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown): Promise<HttpAnswer<T>> {
    return this.request<T>('POST', path, body);
  }

  /** Waits until every task is in one of `states`; returns their views. */
  async waitForTasks(
    ids: readonly string[],
    states: readonly string[] = ['succeeded', 'failed', 'cancelled'],
    timeoutMs = 60_000,
  ): Promise<any[]> {
    return waitFor(
      async () => Promise.all(ids.map(async (id) => (await this.get(`/tasks/${id}`)).body)),
      (views) => views.every((v) => states.includes(v?.state)),
      { timeoutMs, what: `${ids.length} task(s) to reach ${states.join('/')}` },
    );
  }

  /** Keys of this cluster's prefix (all share the hash tag). */
  key(suffix: string): string {
    return `{${this.prefix}}:${suffix}`;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.workers.values()].map((w) => w.stop('SIGTERM').catch(() => undefined)),
    );
    await Promise.all(this.dispatchers.map((d) => d.stop('SIGTERM').catch(() => undefined)));
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(
          cursor,
          'MATCH',
          `{${this.prefix}}:*`,
          'COUNT',
          1000,
        );
        if (keys.length > 0) await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      /* the private Redis may be gone already */
    }
    // resolve only once the socket is gone, so Jest sees nothing left open after stop()
    const ended = new Promise<void>((resolve) =>
      this.redis.status === 'end' ? resolve() : this.redis.once('end', () => resolve()),
    );
    await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
    await ended;
  }
}
