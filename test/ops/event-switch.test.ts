import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  configureScripts,
  DEFAULT_EVENTS_MAX_LEN,
  Keyspace,
  loadConfig,
  TaskStore,
  type TaskSpec,
} from '@switchyard/core';
import { SHARED_REDIS_URL } from '../support/redis-server';

const spec: TaskSpec = {
  type: 'echo',
  payload: null,
  priority: 0,
  requirements: { slots: 1, cpu: 0, memoryMb: 0, labels: {} },
  maxAttempts: 1,
  timeoutMs: 1000,
};

describe('the event stream switch', () => {
  const redis = new Redis(SHARED_REDIS_URL);
  const keys = new Keyspace(`t${randomBytes(5).toString('hex')}`);

  afterAll(async () => {
    configureScripts({ eventsMaxLen: DEFAULT_EVENTS_MAX_LEN });
    const found = await redis.keys(`${keys.base}*`);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  it('writes no events with EVENTS_STREAM_MAX_LEN=0, and one entry per batch otherwise', async () => {
    const config = loadConfig({ EVENTS_STREAM_MAX_LEN: '0' });
    // scripts are defined per connection: a new connection per setting
    const off = new Redis(SHARED_REDIS_URL);
    const on = new Redis(SHARED_REDIS_URL);
    try {
      configureScripts({ eventsMaxLen: config.eventsMaxLen });
      await new TaskStore(off, keys, config).submit([spec, spec, spec]);
      expect(await redis.exists(keys.events)).toBe(0);

      configureScripts({ eventsMaxLen: 1000 });
      await new TaskStore(on, keys, config).submit([spec, spec, spec]);
      expect(await redis.xlen(keys.events)).toBe(1);
    } finally {
      off.disconnect();
      on.disconnect();
    }
  });
});
