import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  Keyspace,
  LeaderLeaseStore,
  loadConfig,
  NodeStore,
  TaskStore,
  type NodeRegistration,
  type TaskSpec,
} from '@switchyard/core';
import { SHARED_REDIS_URL } from './redis-server';

/** Stores on a private prefix of a real Redis, for script-level tests. */
/** A retry policy the script tests give their tasks: fixed 1 s, no jitter (delays predictable). */
export const FIXED_RETRY = { backoff: 'fixed' as const, baseMs: 1000, capMs: 1000, jitter: 0 };

export class StoreFixture {
  readonly redis: Redis;
  readonly keys: Keyspace;
  readonly config = loadConfig({ FINISHED_RETENTION_MS: '60000', AGING_STEP_MS: '1000' });
  readonly tasks: TaskStore;
  readonly nodes: NodeStore;
  readonly leader: LeaderLeaseStore;

  constructor(redisUrl = SHARED_REDIS_URL) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.keys = new Keyspace(`s${randomBytes(5).toString('hex')}`);
    this.tasks = new TaskStore(this.redis, this.keys, this.config);
    this.nodes = new NodeStore(this.redis, this.keys, this.config);
    this.leader = new LeaderLeaseStore(this.redis, this.keys);
  }

  spec(overrides: Partial<TaskSpec> = {}): TaskSpec {
    return {
      type: 'echo',
      payload: { hello: 'world', list: [] },
      priority: 0,
      requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
      maxAttempts: 3,
      timeoutMs: 10_000,
      ...overrides,
    };
  }

  registration(id: string, slots = 4): NodeRegistration {
    return {
      id,
      types: ['echo'],
      capacity: { slots, cpu: 4000, memoryMb: 4096 },
      labels: {},
      hostname: 'test',
      pid: 1,
    };
  }

  /** Every key of the prefix with its type, value and whether it expires: equal snapshots = nothing changed. */
  async snapshot(): Promise<Record<string, unknown>> {
    const keys = (await this.redis.keys(`${this.keys.base}*`)).sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const type = await this.redis.type(key);
      if (type === 'string') out[key] = await this.redis.get(key);
      else if (type === 'hash') out[key] = await this.redis.hgetall(key);
      else if (type === 'zset') out[key] = await this.redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'set') out[key] = (await this.redis.smembers(key)).sort();
      else if (type === 'list') out[key] = await this.redis.lrange(key, 0, -1);
      else out[key] = type;
    }
    return out;
  }

  async close(): Promise<void> {
    const keys = await this.redis.keys(`${this.keys.base}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    await this.redis.quit();
  }
}

/**
 * Registers hooks that give each test a fresh fixture whose store holds the leader lease (as
 * 'me'), handed to `use`, and close it afterwards.
 */
export function useLeadingFixture(use: (fixture: StoreFixture, lease: string) => void): void {
  let current: StoreFixture | undefined;
  beforeEach(async () => {
    current = new StoreFixture();
    use(current, (await current.leader.acquire('me', 60_000)) as string);
  });
  afterEach(async () => {
    await current?.close();
  });
}
