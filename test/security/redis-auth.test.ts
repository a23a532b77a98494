import { Redis } from 'ioredis';
import { loadConfig, redisAclRules, SwitchyardClient } from '@switchyard/core';
import { AppProcess, DISPATCHER_MAIN, WORKER_MAIN } from '../support/app-process';
import { freePort } from '../support/free-port';
import { OwnRedis } from '../support/redis-server';
import { SseClient } from '../support/sse-client';
import { TestCluster } from '../support/test-cluster';
import { TlsCertificates } from '../support/tls-certificates';
import { waitFor } from '../support/wait-for';

const PASSWORD = 'pw-7c1e9f-correct-horse';

/** Submits `n` echo tasks over HTTP and expects each to succeed with its payload. */
async function runTasks(cluster: TestCluster, n: number): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await cluster.post('/tasks', { type: 'echo', payload: { i } });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  const views = await cluster.waitForTasks(ids);
  expect(views.map((v) => [v.state, v.result])).toEqual(ids.map((_, i) => ['succeeded', { i }]));
}

/** Starting must fail; returns the process's output. */
async function failedStart(main: string, env: Record<string, string>): Promise<string> {
  // the insecure flag: the Redis check, not the missing API keys, must be what stops the start
  const started = AppProcess.start('refused', main, {
    SWITCHYARD_PREFIX: 'refused',
    SWITCHYARD_INSECURE_NO_AUTH: 'true',
    ...env,
  });
  const error = await started.then(
    async (app) => {
      await app.stop('SIGKILL');
      return undefined;
    },
    (err: Error) => err,
  );
  expect(error).toBeDefined();
  return error!.message;
}

describe('Redis with a password', () => {
  let redis: OwnRedis;

  beforeAll(async () => {
    redis = await OwnRedis.start({ extraArgs: ['--requirepass', PASSWORD], password: PASSWORD });
  });

  afterAll(async () => {
    await redis?.destroy();
  });

  it('runs a dispatcher and a worker that give the password in REDIS_URL', async () => {
    const cluster = await TestCluster.start({
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
      workers: 1,
    });
    try {
      await runTasks(cluster, 10);
    } finally {
      await cluster.stop();
    }
  });

  it.each([
    ['dispatcher', DISPATCHER_MAIN],
    ['worker', WORKER_MAIN],
  ])(
    'refuses to start a %s with a wrong password, saying so without the password',
    async (_n, main) => {
      const wrong = 'wrong-pw-5d2a';
      const output = await failedStart(main, {
        REDIS_URL: `redis://:${wrong}@127.0.0.1:${redis.port}`,
      });
      expect(output).toContain('exited before listening');
      expect(output).toContain('Redis refused the credentials in REDIS_URL');
      expect(output).not.toContain(wrong);
    },
  );
});

describe('Redis with an ACL user limited to one prefix', () => {
  const prefix = 'aclsy';
  let redis: OwnRedis;
  let admin: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start({ extraArgs: ['--requirepass', PASSWORD], password: PASSWORD });
    admin = new Redis(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`, { maxRetriesPerRequest: 1 });
    await admin.call('ACL', 'SETUSER', 'switchyard', ...redisAclRules(prefix, 'app-pw-41b0'));
    await admin.set('other-app:secret', 'not yours');
  });

  afterAll(async () => {
    await admin?.quit();
    await redis?.destroy();
  });

  it('runs every feature with no command refused: tasks, dependencies, schedules, events, drain, two dispatchers', async () => {
    const cluster = await TestCluster.start({
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${redis.port}`,
      env: {
        REDIS_URL: `redis://switchyard:app-pw-41b0@127.0.0.1:${redis.port}`,
        SWITCHYARD_PREFIX: prefix,
      },
      dispatchers: 2,
      workers: 1,
    });
    const events = await SseClient.open(`${cluster.dispatcher.url}/events?after=0-0`);
    try {
      await runTasks(cluster, 10);
      const batch = await cluster.post('/tasks/batch', {
        tasks: [
          { type: 'fail', payload: { retryable: false }, maxAttempts: 1 },
          { type: 'sleep', payload: { ms: 60_000 } },
        ],
      });
      expect(batch.status).toBe(201);
      const [failing, sleeping] = batch.body.tasks.map((t: { id: string }) => t.id);
      const [failed] = await cluster.waitForTasks([failing]);
      expect(failed.state).toBe('failed');
      expect((await cluster.post(`/tasks/${failing}/retry`)).status).toBeLessThan(300);
      await cluster.waitForTasks([sleeping], ['running']);
      expect((await cluster.post(`/tasks/${sleeping}/cancel`)).status).toBeLessThan(300);
      const [cancelled] = await cluster.waitForTasks([sleeping]);
      expect(cancelled.state).toBe('cancelled');

      const first = await cluster.post('/tasks', { type: 'echo', payload: { n: 1 } });
      const then = await cluster.post('/tasks', {
        type: 'echo',
        payload: { n: 2 },
        dependsOn: [first.body.id],
      });
      expect(then.status).toBe(201);
      expect((await cluster.waitForTasks([then.body.id]))[0].state).toBe('succeeded');

      const schedule = await cluster.post('/schedules', {
        name: 'acl-pulse',
        everyMs: 300,
        task: { type: 'echo', payload: { pulse: true } },
      });
      expect(schedule.status).toBe(201);
      await waitFor(
        async () => (await cluster.get('/schedules')).body.schedules,
        (all: { id: string; fired: number }[]) =>
          all.some((s) => s.id === schedule.body.id && s.fired >= 2),
        { what: 'the schedule firing twice' },
      );
      expect(
        (await cluster.request('DELETE', `/schedules/${schedule.body.id}`)).status,
      ).toBeLessThan(300);
      await events.waitFor((es) => es.length > 0, 'a change event');

      const drained = await cluster.startWorker({ id: 'acl-drained' });
      expect((await cluster.post('/nodes/acl-drained/drain')).status).toBe(202);
      expect(await drained.waitExit()).toBe(0);

      for (const path of [
        '/stats',
        '/metrics',
        '/nodes',
        '/tasks?state=failed',
        '/health/ready',
        '/cluster',
      ])
        expect([path, (await cluster.get(path)).status]).toEqual([path, 200]);
      const worker = [...cluster.workers.values()][0];
      expect((await cluster.requestTo(worker, 'GET', '/metrics')).status).toBe(200);
    } finally {
      await events.close();
      await cluster.stop();
    }
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
  });

  it('keeps the user away from other keys and from server commands', async () => {
    const app = new Redis(`redis://switchyard:app-pw-41b0@127.0.0.1:${redis.port}`, {
      maxRetriesPerRequest: 1,
    });
    try {
      await expect(app.get('other-app:secret')).rejects.toThrow(/NOPERM/);
      await expect(app.flushall()).rejects.toThrow(/NOPERM/);
      await expect(app.call('CONFIG', 'GET', 'requirepass')).rejects.toThrow(/NOPERM/);
      await expect(app.publish('other-app:events', 'x')).rejects.toThrow(/NOPERM/);
      await expect(app.set(`{${prefix}}:probe`, '1')).resolves.toBe('OK');
    } finally {
      await app.quit();
    }
    expect(await admin.get('other-app:secret')).toBe('not yours');
  });
});

describe('Redis over TLS with a client certificate', () => {
  let certs: TlsCertificates;
  let redis: OwnRedis;
  let tlsPort: number;

  beforeAll(async () => {
    certs = TlsCertificates.create();
    tlsPort = await freePort();
    redis = await OwnRedis.start({ extraArgs: certs.serverArgs(tlsPort) });
  });

  afterAll(async () => {
    await redis?.destroy();
    certs?.destroy();
  });

  const tlsEnv = (): Record<string, string> => ({
    REDIS_URL: `rediss://localhost:${tlsPort}`,
    REDIS_TLS_CA_FILE: certs.file('ca.crt'),
    REDIS_TLS_CERT_FILE: certs.file('client.crt'),
    REDIS_TLS_KEY_FILE: certs.file('client.key'),
  });

  it('runs a dispatcher, a worker and the programmatic client over rediss://', async () => {
    // the harness itself reads Redis on the plain port; the apps only know the TLS one
    const cluster = await TestCluster.start({ redisUrl: redis.url, env: tlsEnv(), workers: 1 });
    const client = new SwitchyardClient(
      loadConfig({ ...tlsEnv(), SWITCHYARD_PREFIX: cluster.prefix }),
    );
    try {
      await runTasks(cluster, 10);
      // the client's bus publisher speaks TLS too: its announcement (count 3) reaches subscribers
      const sub = cluster.redis.duplicate();
      const heard: unknown[] = [];
      sub.on('message', (_channel: string, message: string) => heard.push(JSON.parse(message)));
      await sub.subscribe(`${cluster.prefix}:tasks.submitted`);
      try {
        const outcomes = await client.submitBatch(
          [1, 2, 3].map((i) => ({ type: 'echo', payload: { over: 'tls', i } })),
        );
        await waitFor(
          () => heard,
          (h) => h.some((m) => (m as { data?: { count?: number } }).data?.count === 3),
          { what: "the client's tasks.submitted" },
        );
        const views = await client.waitFor(outcomes.map((o) => o.id));
        expect(views.map((v) => v.result)).toEqual([1, 2, 3].map((i) => ({ over: 'tls', i })));
      } finally {
        await sub.quit();
      }
      const clients = String(await cluster.redis.call('CLIENT', 'LIST'));
      const tlsClients = clients
        .split('\n')
        .filter((l) => / laddr=\S+:(\d+) /.exec(l)?.[1] === String(tlsPort));
      expect(tlsClients.length).toBeGreaterThanOrEqual(6);
    } finally {
      await client.close();
      await cluster.stop();
    }
  });

  it('refuses to start without the CA that signed the server certificate, saying why', async () => {
    const { REDIS_TLS_CA_FILE: _ca, ...withoutCa } = tlsEnv();
    const output = await failedStart(DISPATCHER_MAIN, withoutCa);
    expect(output).toContain('TLS connection to Redis failed');
  });
});
