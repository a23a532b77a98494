import {
  InvalidInputError,
  LimitExceededError,
  SwitchyardClient,
  WaitTimeoutError,
  loadConfig,
} from '@switchyard/core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

describe('the programmatic client', () => {
  let cluster: TestCluster;
  let client: SwitchyardClient;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 1, env: { MAX_PAYLOAD_BYTES: '4096' } });
    client = SwitchyardClient.fromEnv({
      ...cluster.env,
      REDIS_URL: cluster.redisUrl,
      SWITCHYARD_PREFIX: cluster.prefix,
      MAX_PAYLOAD_BYTES: '4096',
    });
  });

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  });

  it('submits a batch and waits until every task succeeded, with results read from Redis', async () => {
    const inputs = Array.from({ length: 50 }, (_, i) => ({ type: 'echo', payload: { i } }));
    const outcomes = await client.submitBatch(inputs);
    expect(outcomes).toHaveLength(50);
    expect(outcomes.every((o) => o.created && o.state === 'queued')).toBe(true);

    const views = await client.waitFor(outcomes.map((o) => o.id));
    views.forEach((view, i) => {
      expect(view.id).toBe(outcomes[i].id);
      expect(view.state).toBe('succeeded');
      expect(view.result).toEqual({ i });
    });
    expect((await client.get(outcomes[0].id)).result).toEqual({ i: 0 });
  });

  it('waits for states only: each task id with its terminal state, in the order asked', async () => {
    // one payload object for the whole batch: each task still gets it as it was
    const payload = { i: 7 };
    const echoes = await client.submitBatch(
      Array.from({ length: 20 }, () => ({ type: 'echo', payload })),
    );
    const { id: failed } = await client.submit({
      type: 'fail',
      payload: { message: 'no', retryable: false },
    });
    const ids = [failed, ...echoes.map((o) => o.id)];
    const states = await client.waitForStates(ids);
    expect(states).toEqual(ids.map((id, i) => ({ id, state: i === 0 ? 'failed' : 'succeeded' })));
    expect((await client.get(echoes[19].id)).result).toEqual({ i: 7 });
  });

  it('submits one task and reports a failure as the terminal view', async () => {
    const { id } = await client.submit({
      type: 'fail',
      payload: { message: 'no', retryable: false },
    });
    const [view] = await client.waitFor([id]);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ message: 'no', retryable: false });
  });

  it('rejects bad input with a typed error before anything is written', async () => {
    const queued = async (): Promise<number> => cluster.redis.zcard(cluster.key('q:echo'));
    const before = await queued();
    await expect(client.submit({ type: 'not a type!' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      client.submit({ type: 'echo', payload: { big: 'x'.repeat(5000) } }),
    ).rejects.toBeInstanceOf(LimitExceededError);
    await expect(
      client.submitBatch([{ type: 'echo' }, { type: 'echo', maxAttempts: 0 }]),
    ).rejects.toThrow(/tasks\[1\]\.maxAttempts/);
    expect(await queued()).toBe(before);
  });

  it('finds tasks that finished before it listened by reading Redis', async () => {
    const { id } = await client.submit({ type: 'echo', payload: 'early' });
    await cluster.waitForTasks([id]);
    const late = SwitchyardClient.fromEnv({
      REDIS_URL: cluster.redisUrl,
      SWITCHYARD_PREFIX: cluster.prefix,
    });
    try {
      const [view] = await late.waitFor([id], { pollIntervalMs: 100 });
      expect(view.result).toBe('early');
    } finally {
      await late.close();
    }
  });

  it('gives up with WaitTimeoutError when a task cannot finish', async () => {
    const { id } = await client.submit({ type: 'nobody.handles.this' });
    await expect(
      client.waitFor([id], { timeoutMs: 300, pollIntervalMs: 100 }),
    ).rejects.toBeInstanceOf(WaitTimeoutError);
    expect((await client.get(id)).state).toBe('queued');
  });

  it('answers a wait for no tasks at once, without waiting for its timeout', async () => {
    await expect(client.waitFor([], { timeoutMs: 60_000 })).resolves.toEqual([]);
  });

  it('closes every connection it opened', async () => {
    const other = new SwitchyardClient(
      loadConfig({ REDIS_URL: cluster.redisUrl, SWITCHYARD_PREFIX: cluster.prefix }),
    );
    await other.connect();
    const named = async (): Promise<number> =>
      String(await cluster.redis.client('LIST'))
        .split('\n')
        .filter((line: string) => line.includes(`name=${other.name}`)).length;
    expect(await named()).toBe(2);
    await other.close();
    await waitFor(named, (n) => n === 0, { what: 'the client connections to close' });
  });
});
