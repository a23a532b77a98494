import { Test } from '@nestjs/testing';
import {
  IllegalTransitionError,
  DispatcherHttpError,
  SwitchyardClient,
  SwitchyardClientModule,
  TaskFailedError,
  loadConfig,
} from '@switchyard/core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** The example worker's handlers, as a task map. */
type ExampleTasks = {
  echo: { payload: { text: string }; result: { text: string } };
  sleep: { payload: { ms: number }; result: { slept: number } };
  fail: { payload: { message: string; retryable?: boolean }; result: never };
};

describe('the typed client over Redis and over HTTP', () => {
  let cluster: TestCluster;
  const clients: { name: string; client: SwitchyardClient<ExampleTasks> }[] = [];

  const redisEnv = (): Record<string, string> => ({
    ...cluster.env,
    REDIS_URL: cluster.redisUrl,
    SWITCHYARD_PREFIX: cluster.prefix,
  });

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 1 });
    clients.push(
      { name: 'redis', client: SwitchyardClient.fromEnv<ExampleTasks>(redisEnv()) },
      {
        name: 'http',
        client: SwitchyardClient.overHttp<ExampleTasks>({ url: cluster.dispatcher.url }),
      },
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.client.close()));
    await cluster?.stop();
  });

  it.each(['redis', 'http'])('%s: submits a typed task and waits for its result', async (name) => {
    const { client } = clients.find((c) => c.name === name)!;
    const task = await client.submit('echo', { text: `hi ${name}` });
    expect(task).toMatchObject({ type: 'echo', created: true, state: 'queued' });
    const result = await client.waitForResult(task, { timeoutMs: 30_000 });
    expect(result.text).toBe(`hi ${name}`);
    expect(await client.run('sleep', { ms: 1 })).toEqual({ slept: 1 });
  });

  it.each(['redis', 'http'])('%s: waitForResult rejects with the failed view', async (name) => {
    const { client } = clients.find((c) => c.name === name)!;
    const task = await client.submit('fail', { message: 'nope', retryable: false });
    const err = (await client.waitForResult(task).catch((e: unknown) => e)) as TaskFailedError;
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.task).toMatchObject({ state: 'failed', error: { message: 'nope' } });
  });

  it.each(['redis', 'http'])(
    '%s: cancels a running task, retries it, refuses a second cancel',
    async (name) => {
      const { client } = clients.find((c) => c.name === name)!;
      const task = await client.submit('sleep', { ms: 60_000 }, { maxAttempts: 1 });
      await waitFor(
        () => client.get(task.id),
        (v) => v.state === 'running',
        { what: 'running' },
      );
      expect(await client.cancel(task.id)).toEqual({
        id: task.id,
        state: 'cancelled',
        previous: 'running',
      });
      const [cancelled] = await client.waitFor([task.id]);
      expect(cancelled.state).toBe('cancelled');
      const refused = await client.cancel(task.id).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(
        name === 'redis' ? IllegalTransitionError : DispatcherHttpError,
      );
      if (name === 'http')
        expect(refused).toMatchObject({ status: 409, code: 'illegal_transition' });

      expect(await client.retry(task.id)).toEqual({
        id: task.id,
        state: 'queued',
        previous: 'cancelled',
      });
      await waitFor(
        () => client.get(task.id),
        (v) => v.state === 'running',
        { what: 'running again' },
      );
      await client.cancel(task.id);
    },
  );

  it('is injectable through SwitchyardClientModule.forRootAsync', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        SwitchyardClientModule.forRootAsync({
          useFactory: () => ({ redis: loadConfig(redisEnv()) }),
        }),
      ],
    }).compile();
    await moduleRef.init();
    const client: SwitchyardClient<ExampleTasks> = moduleRef.get(SwitchyardClient);
    expect(await client.run('echo', { text: 'nest' })).toEqual({ text: 'nest' });
    await moduleRef.close();
  });

  it('checks payloads against the task map at compile time (tsc checks this file)', () => {
    const client = clients[0].client;
    const never = (): void => {
      // @ts-expect-error -- echo takes { text: string }
      void client.submit('echo', { text: 42 });
      // @ts-expect-error -- no such task type in the map
      void client.submit('image.resize', {});
      // @ts-expect-error -- sleep's payload is required
      void client.submit({ type: 'sleep' });
    };
    expect(typeof never).toBe('function');
  });
});
