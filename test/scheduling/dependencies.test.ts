import { TestCluster } from '../support/test-cluster';

describe('dependencies over HTTP', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 1, env: { MAX_DEPENDS_ON: '4' } });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('runs a task only after every dependency succeeded', async () => {
    const a = await cluster.post('/tasks', { type: 'sleep', payload: { ms: 400 } });
    const b = await cluster.post('/tasks', { type: 'sleep', payload: { ms: 200 } });
    const c = await cluster.post('/tasks', {
      type: 'echo',
      payload: 'after',
      dependsOn: [a.body.id, b.body.id],
    });
    expect(c.status).toBe(201);
    expect(c.body.state).toBe('blocked');
    const blocked = (await cluster.get(`/tasks/${c.body.id}`)).body;
    expect(blocked).toMatchObject({ state: 'blocked', dependsOn: [a.body.id, b.body.id] });
    expect(blocked.waitingReason).toMatch(/waiting for [12] of 2 dependencies/);

    const [va, vb, vc] = await cluster.waitForTasks([a.body.id, b.body.id, c.body.id]);
    expect([va.state, vb.state, vc.state]).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(vc.history[0].assignedAt).toBeGreaterThanOrEqual(Math.max(va.finishedAt, vb.finishedAt));
  });

  it('fails a dependent with a reason naming the dependency that failed', async () => {
    const bad = await cluster.post('/tasks', { type: 'fail', payload: { retryable: false } });
    const dep = await cluster.post('/tasks', { type: 'echo', dependsOn: [bad.body.id] });
    const [, view] = await cluster.waitForTasks([bad.body.id, dep.body.id]);
    expect(view.state).toBe('failed');
    expect(view.error.message).toBe(`dependency ${bad.body.id} failed`);
    expect(view.history).toHaveLength(0);
  });

  it.each([
    ['a malformed id', { dependsOn: ['nope'] }, 400, /dependsOn must hold task ids/],
    [
      'the same id twice',
      { dependsOn: ['01M8D3ZHTN946B1AXM00FC59FA', '01M8D3ZHTN946B1AXM00FC59FA'] },
      400,
      /must not list a task twice/,
    ],
    [
      'an unknown task',
      { dependsOn: ['01M8D3ZHTN946B1AXM00FC59FA'] },
      400,
      /task 01M8D3ZHTN946B1AXM00FC59FA does not exist/,
    ],
    [
      'more than MAX_DEPENDS_ON',
      { dependsOn: Array.from({ length: 5 }, (_, i) => `01M8D3ZHTN946B1AXM00FC59F${i}`) },
      400,
      /at most 4 \(MAX_DEPENDS_ON\)/,
    ],
  ])('rejects %s and creates nothing', async (_what, extra, status, message) => {
    const before = (await cluster.redis.keys(cluster.key('t:*'))).length;
    const res = await cluster.post('/tasks', { type: 'echo', ...extra });
    expect(res.status).toBe(status);
    const said = res.body.message;
    expect(typeof said === 'string' ? said : JSON.stringify(said)).toMatch(message);
    expect((await cluster.redis.keys(cluster.key('t:*'))).length).toBe(before);
  });
});
