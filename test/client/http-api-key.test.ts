import { DispatcherHttpError, SwitchyardClient } from '@switchyard/core';
import { bearer, makeTestKeys } from '../security/api-keys.fixture';
import { TestCluster } from '../support/test-cluster';

/** HTTP mode against a real dispatcher with API_KEYS (the guard of docs/security.md). */
describe('the HTTP client and API keys', () => {
  const keys = makeTestKeys();
  let cluster: TestCluster;
  let taskId: string;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0, env: { API_KEYS: keys.apiKeys } });
    const submitted = await cluster.request(
      'POST',
      '/tasks',
      { type: 'echo', payload: { hi: 1 } },
      bearer(keys.all),
    );
    expect(submitted.status).toBe(201);
    taskId = submitted.body.id;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const refusal = (promise: Promise<unknown>): Promise<DispatcherHttpError> =>
    promise.then(
      () => {
        throw new Error('the dispatcher answered instead of refusing');
      },
      (err: unknown) => err as DispatcherHttpError,
    );

  it('sends the key as a bearer token: submits and reads with the right scopes', async () => {
    const client = SwitchyardClient.overHttp({ url: cluster.dispatcher.url, apiKey: keys.all.key });
    const { id } = await client.submit('echo', { hello: 'key' });
    expect((await client.get(id)).type).toBe('echo');
    expect((await client.get(taskId)).id).toBe(taskId);
  });

  it('turns a missing key into a DispatcherHttpError 401', async () => {
    const client = SwitchyardClient.overHttp({ url: cluster.dispatcher.url });
    const err = await refusal(client.get(taskId));
    expect(err).toBeInstanceOf(DispatcherHttpError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(err.message).toContain('missing or unknown API key');
  });

  it('turns an unknown key into a DispatcherHttpError 401', async () => {
    const client = SwitchyardClient.overHttp({ url: cluster.dispatcher.url, apiKey: 'nope' });
    const err = await refusal(client.get(taskId));
    expect(err).toBeInstanceOf(DispatcherHttpError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('turns a key lacking the scope into a DispatcherHttpError 403', async () => {
    const reader = keys.only['tasks:read'];
    const client = SwitchyardClient.overHttp({ url: cluster.dispatcher.url, apiKey: reader.key });
    expect((await client.get(taskId)).id).toBe(taskId);
    const err = await refusal(client.submit('echo', {}));
    expect(err).toBeInstanceOf(DispatcherHttpError);
    expect(err).toMatchObject({ status: 403, code: 'forbidden' });
    expect(err.message).toContain('tasks:write');
    expect(err.message).not.toContain(reader.key);
  });
});
