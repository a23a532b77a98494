import { TestCluster } from '../support/test-cluster';

describe('a task from HTTP to a worker and back', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: 2,
      env: { MAX_BODY_BYTES: '65536', MAX_PAYLOAD_BYTES: '4096' },
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('runs 200 tasks of mixed types to succeeded with the right results', async () => {
    const specs = Array.from({ length: 200 }, (_, i) => {
      if (i % 3 === 0) return { type: 'echo', payload: { i, text: `hello ${i}` } };
      if (i % 3 === 1) return { type: 'sleep', payload: { ms: 5 + (i % 20) } };
      return { type: 'hash', payload: { rounds: 1 + (i % 5), input: `in-${i}` } };
    });
    const submitted = await cluster.post('/tasks/batch', { tasks: specs });
    expect(submitted.status).toBe(201);
    const ids: string[] = submitted.body.tasks.map((t: { id: string }) => t.id);
    expect(new Set(ids).size).toBe(200);

    const views = await cluster.waitForTasks(ids);
    views.forEach((view, i) => {
      expect(view.state).toBe('succeeded');
      const spec = specs[i];
      if (spec.type === 'echo') expect(view.result).toEqual(spec.payload);
      if (spec.type === 'sleep')
        expect(view.result).toEqual({ slept: (spec.payload as { ms: number }).ms });
      if (spec.type === 'hash')
        expect(view.result.rounds).toBe((spec.payload as { rounds: number }).rounds);
      expect(view.history).toHaveLength(1);
      expect(view.history[0].outcome).toBe('succeeded');
    });
    const nodesUsed = new Set(views.map((v) => v.history[0].node));
    expect(nodesUsed.size).toBe(2);
  });

  it('ends a failing task failed with its message', async () => {
    const res = await cluster.post('/tasks', {
      type: 'fail',
      payload: { message: 'boom', retryable: false },
    });
    expect(res.status).toBe(201);
    const [view] = await cluster.waitForTasks([res.body.id]);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ message: 'boom', retryable: false });
  });

  it('keeps a task of an unhandled type queued and says why', async () => {
    const res = await cluster.post('/tasks', { type: 'nobody.handles.this', payload: {} });
    expect(res.status).toBe(201);
    const view = (await cluster.get(`/tasks/${res.body.id}`)).body;
    expect(view.state).toBe('queued');
    expect(view.waitingReason).toBe('no node handles type nobody.handles.this');
  });

  it('returns the first task again for a repeated idempotency key', async () => {
    const first = await cluster.post('/tasks', {
      type: 'echo',
      payload: { n: 1 },
      idempotencyKey: 'order-42',
    });
    const again = await cluster.post('/tasks', {
      type: 'echo',
      payload: { n: 2 },
      idempotencyKey: 'order-42',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.payload).toEqual({ n: 1 });
  });

  describe('bad input gets a clear error and creates nothing', () => {
    const countTasks = async (): Promise<number> =>
      (await cluster.redis.keys(cluster.key('t:*'))).length;

    it.each([
      ['an unknown field', { type: 'echo', bogus: 1 }, 400, /property bogus should not exist/],
      ['a missing type', { payload: {} }, 400, /type/],
      [
        'a wrong type for priority',
        { type: 'echo', priority: 'high' },
        400,
        /priority must be an integer/,
      ],
      ['a bad selector', { type: 'echo', requirements: { labels: { zone: 5 } } }, 400, /labels/],
      [
        'an unknown strategy',
        { type: 'echo', strategy: 'nope' },
        400,
        /strategy "nope" is not known/,
      ],
      [
        'a payload over MAX_PAYLOAD_BYTES',
        { type: 'echo', payload: 'x'.repeat(5000) },
        413,
        /payload is \d+ bytes/,
      ],
    ])('rejects %s', async (_what, body, status, message) => {
      const before = await countTasks();
      const res = await cluster.post('/tasks', body);
      expect(res.status).toBe(status);
      const said = res.body.message;
      expect(typeof said === 'string' ? said : JSON.stringify(said)).toMatch(message);
      expect(await countTasks()).toBe(before);
    });

    it('rejects a body over MAX_BODY_BYTES with 413', async () => {
      const before = await countTasks();
      const res = await cluster.post('/tasks', { type: 'echo', payload: 'y'.repeat(70_000) });
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/MAX_BODY_BYTES/);
      expect(await countTasks()).toBe(before);
    });

    it('rejects malformed JSON with 400', async () => {
      const res = await cluster.request('POST', '/tasks', '{"type": "echo",', {});
      expect(res.status).toBe(400);
    });

    it('rejects a whole batch when one task is invalid', async () => {
      const before = await countTasks();
      const res = await cluster.post('/tasks/batch', {
        tasks: [{ type: 'echo' }, { type: 'echo', maxAttempts: 0 }],
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toMatch(/tasks\.1\.maxAttempts/);
      expect(await countTasks()).toBe(before);
    });

    it('answers 404 for an unknown task id and 400 for a malformed one', async () => {
      expect((await cluster.get('/tasks/01M8D3ZHTN946B1AXM00FC59FA')).status).toBe(404);
      expect((await cluster.get('/tasks/not-an-id')).status).toBe(400);
    });
  });
});
