import { Redis } from 'ioredis';
import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/**
 * One task submitted over HTTP to the leading dispatcher of an idle cluster takes the lone-task
 * path a client submit takes: the leader decides it from the submit's announcement and commits
 * it with one assign call, without reading the queues (read-heads). The script calls are counted
 * with MONITOR on a private redis-server, between two markers the test sends on it.
 */
describe('one task submitted over HTTP on an idle cluster (real processes, private Redis)', () => {
  let redis: OwnRedis;
  let cluster: TestCluster;
  let control: Redis;
  let monitor: Redis;
  /** Functions called (FCALL, by script name) and markers echoed, in Redis's order. */
  const seen: string[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // the fallback tick out of the way: a pass now comes only from what announces work
    cluster = await TestCluster.start({
      workers: 1,
      redisUrl: redis.url,
      env: { SCHEDULER_TICK_MS: '60000' },
    });
    control = new Redis(redis.url);
    // monitor() opens a connection of its own beside the one it is called on
    monitor = await control.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = args[0]?.toLowerCase();
      if (command === 'fcall') seen.push(args[1].replace(/^sy_[0-9a-f]+_/, ''));
      else if (command === 'echo') seen.push(`echo:${args[1]}`);
    });
  });

  afterAll(async () => {
    monitor?.disconnect();
    await control?.quit();
    await cluster?.stop();
    await redis?.destroy();
  });

  /** Sends a marker through Redis and waits until MONITOR has passed it on. */
  async function mark(name: string): Promise<void> {
    await control.echo(name);
    await waitFor(
      () => seen,
      (s) => s.includes(`echo:${name}`),
      { what: `marker ${name} seen by MONITOR` },
    );
  }

  /** Submits one echo task over HTTP and waits until GET /tasks/:id shows it succeeded. */
  async function runOne(i: number): Promise<void> {
    const res = await cluster.post('/tasks', { type: 'echo', payload: { i } });
    expect(res.status).toBe(201);
    const [view] = await cluster.waitForTasks([res.body.id]);
    expect(view.state).toBe('succeeded');
  }

  /** The functions called between two markers. */
  function between(from: string, to: string): string[] {
    return seen.slice(seen.indexOf(`echo:${from}`) + 1, seen.indexOf(`echo:${to}`));
  }

  it('assigns each task with one assign call and no read of the queues', async () => {
    // the first task meets what a fresh leader still reads (its node picture)
    await runOne(0);
    await mark('start');
    for (let i = 1; i <= 3; i++) await runOne(i);
    await mark('end');
    const calls = between('start', 'end');
    expect(calls.filter((c) => c === 'readHeads')).toEqual([]);
    expect(calls.filter((c) => c === 'submit' || c === 'assign')).toEqual([
      'submit',
      'assign',
      'submit',
      'assign',
      'submit',
      'assign',
    ]);
  });
});
