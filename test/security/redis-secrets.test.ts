import { Redis } from 'ioredis';
import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'pw-leak-canary-93e1d7';
const OTHER = 'pw-rotated-canary-1f08';

/**
 * Redis errors travel far (reconnect loops, refused AUTH, 503 answers), and ioredis attaches
 * the failed command, for AUTH the password, to its errors. Whatever happens to Redis, the
 * password must not appear in any process output or HTTP answer.
 */
describe('the Redis password in logs and answers', () => {
  let redis: OwnRedis;
  let cluster: TestCluster;
  let admin: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start({ extraArgs: ['--requirepass', PASSWORD], password: PASSWORD });
    cluster = await TestCluster.start({
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
      workers: 1,
      env: { LOG_LEVEL: 'debug' },
    });
    cluster.redis.on('error', () => undefined); // the harness's own connection: expected to fail here
  });

  afterAll(async () => {
    await admin?.quit().catch(() => undefined);
    admin?.disconnect();
    await cluster?.stop();
    await redis?.destroy();
  });

  const logs = (): string[] => [
    ...cluster.dispatchers.flatMap((d) => d.logs),
    ...[...cluster.workers.values()].flatMap((w) => w.logs),
  ];

  async function tasksSucceed(n: number): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await waitFor(
        () => cluster.post('/tasks', { type: 'echo', payload: { i } }),
        (r) => r.status === 201,
        { what: 'a submit accepted', timeoutMs: 30_000 },
      );
      ids.push(res.body.id);
    }
    const views = await cluster.waitForTasks(ids);
    expect(views.every((v) => v.state === 'succeeded')).toBe(true);
  }

  it('keeps it out while Redis stops, comes back, and refuses the password for a while', async () => {
    await tasksSucceed(5);

    // Redis stops: reconnect errors in the logs, 503 answers over HTTP
    await redis.stop();
    const answers: string[] = [];
    await waitFor(
      async () => {
        const res = await cluster.request('GET', '/tasks?state=failed');
        answers.push(JSON.stringify(res.body));
        return res.status;
      },
      (status) => status === 503,
      { what: 'a 503 while Redis is down' },
    );
    await waitFor(logs, (l) => l.some((line) => /ECONNREFUSED/.test(line)), {
      what: 'a reconnect error logged',
    });
    await redis.startProcess();
    await tasksSucceed(5);

    // the password is rotated under the running processes: every reconnect is refused
    admin = new Redis(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`, { maxRetriesPerRequest: 1 });
    await admin.call('CONFIG', 'SET', 'requirepass', OTHER);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    // each process's logger (JSON lines, not ioredis's own stderr) reports the refusal
    const processes = [cluster.dispatcher, ...cluster.workers.values()];
    await waitFor(
      () => processes.map((p) => p.logs.some((l) => l.startsWith('{') && l.includes('WRONGPASS'))),
      (seen) => seen.every(Boolean),
      { what: 'refused AUTH logged by every reconnecting process' },
    );
    answers.push(JSON.stringify((await cluster.request('GET', '/health/ready')).body));
    await admin.call('CONFIG', 'SET', 'requirepass', PASSWORD);
    await tasksSucceed(5);

    expect(cluster.dispatcher.running).toBe(true);
    expect([...cluster.workers.values()].every((w) => w.running)).toBe(true);
    const leaks = [...logs(), ...answers].filter((line) => line.includes(PASSWORD));
    expect(leaks).toEqual([]);
  });
});
