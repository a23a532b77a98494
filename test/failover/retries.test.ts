import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

// these tests start real processes and wait on real failure thresholds
jest.setTimeout(120_000);

const FIXED_FAIL_POLICY = { maxAttempts: 2, backoff: 'fixed', baseMs: 150, capMs: 150, jitter: 0 };

describe('retries, dead letters, timeouts and cancellation', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // one worker: `flaky` counts its executions per task on its own process
    cluster = await TestCluster.start({
      workers: [{ slots: 8 }],
      env: { RETRY_POLICIES: JSON.stringify({ fail: FIXED_FAIL_POLICY }), RETRY_JITTER: '0' },
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  async function submit(body: object): Promise<string> {
    const res = await cluster.post('/tasks', body);
    expect(res.status).toBe(201);
    return res.body.id;
  }

  it('retries a failing task with exponential backoff until it succeeds, keeping every attempt', async () => {
    const id = await submit({
      type: 'flaky',
      payload: { failTimes: 2 },
      maxAttempts: 3,
      retry: { backoff: 'exponential', baseMs: 200, capMs: 5000, jitter: 0 },
    });
    const [view] = await cluster.waitForTasks([id]);
    expect(view).toMatchObject({ state: 'succeeded', attempts: 3, result: { executions: 3 } });
    expect(view.history.map((h: any) => h.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    for (const h of view.history)
      expect(h).toMatchObject({
        node: expect.any(String),
        startedAt: expect.any(Number),
        endedAt: expect.any(Number),
      });
    expect(view.history[0].error).toBe('flaky: failing execution 1 of 2');
    // each retry waited at least its backoff in `delayed` (200 ms, then 400 ms)
    expect(view.history[1].assignedAt - view.history[0].endedAt).toBeGreaterThanOrEqual(200);
    expect(view.history[2].assignedAt - view.history[1].endedAt).toBeGreaterThanOrEqual(400);
  });

  it('applies the per-type policy from RETRY_POLICIES, then ends failed with the last error (dead letter)', async () => {
    const id = await submit({ type: 'fail', payload: { message: 'always' } });
    const [view] = await cluster.waitForTasks([id]);
    expect(view).toMatchObject({
      state: 'failed',
      maxAttempts: 2,
      attempts: 2,
      error: { message: 'always', retryable: true },
    });
    expect(view.history.map((h: any) => h.outcome)).toEqual(['failed', 'failed']);
    expect(view.history[1].assignedAt - view.history[0].endedAt).toBeGreaterThanOrEqual(
      FIXED_FAIL_POLICY.baseMs,
    );
  });

  it('fails a non-retryable error at once', async () => {
    const id = await submit({
      type: 'fail',
      payload: { message: 'bad input', retryable: false },
      maxAttempts: 5,
    });
    const [view] = await cluster.waitForTasks([id]);
    expect(view).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: { message: 'bad input', retryable: false },
    });
  });

  it('lists failed tasks page by page with a cursor', async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        submit({ type: 'fail', payload: { message: `dl-${i}`, retryable: false } }),
      ),
    );
    await cluster.waitForTasks(ids);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: { status: number; body: any } = await cluster.get(
        `/tasks?state=failed&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.tasks.length).toBeLessThanOrEqual(2);
      for (const t of res.body.tasks) {
        expect(t.state).toBe('failed');
        seen.push(t.id);
      }
      cursor = res.body.nextCursor;
      if (cursor === null) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
  });

  it('rejects a listing of a state it cannot list, or a bad limit, with 400', async () => {
    expect((await cluster.get('/tasks?state=running')).status).toBe(400);
    expect((await cluster.get('/tasks?state=failed&limit=0')).status).toBe(400);
    expect((await cluster.get('/tasks?state=queued')).status).toBe(400);
    expect((await cluster.get('/tasks?state=failed&cursor=forged')).status).toBe(400);
  });

  it('re-queues a failed task with a fresh attempt budget on POST /tasks/:id/retry', async () => {
    const id = await submit({
      type: 'flaky',
      payload: { failTimes: 2 },
      maxAttempts: 2,
      retry: { backoff: 'fixed', baseMs: 10, capMs: 10, jitter: 0 },
    });
    const [failed] = await cluster.waitForTasks([id]);
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });

    const res = await cluster.post(`/tasks/${id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, state: 'queued', previous: 'failed' });
    const [view] = await cluster.waitForTasks([id]);
    expect(view).toMatchObject({ state: 'succeeded', attempts: 1, result: { executions: 3 } });
    expect(view.history.map((h: any) => h.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    const listed = await cluster.get('/tasks?state=failed&limit=1000');
    expect(listed.body.tasks.map((t: any) => t.id)).not.toContain(id);
  });

  it('answers 409 to a retry of a task that is not failed or cancelled, and 404 for an unknown one', async () => {
    const id = await submit({ type: 'echo', payload: 1 });
    await cluster.waitForTasks([id]);
    const res = await cluster.post(`/tasks/${id}/retry`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/cannot go from succeeded/);
    expect((await cluster.post('/tasks/01M8D3ZHTN946B1AXM00FC59FA/retry')).status).toBe(404);
  });

  it('aborts a handler at timeoutMs and records a retryable timeout', async () => {
    const id = await submit({
      type: 'sleep',
      payload: { ms: 60_000 },
      timeoutMs: 300,
      maxAttempts: 1,
    });
    const [view] = await cluster.waitForTasks([id]);
    expect(view).toMatchObject({ state: 'failed', error: { code: 'timeout', retryable: true } });
    expect(view.error.message).toMatch(/timed out after 300 ms/);
    expect(view.history[0].outcome).toBe('timeout');
  });

  it('cancels a running task: the handler is aborted, its slot freed, the task ends cancelled', async () => {
    const worker = [...cluster.workers.values()][0];
    const id = await submit({ type: 'sleep', payload: { ms: 60_000 } });
    await waitFor(
      () => cluster.get(`/tasks/${id}`),
      (r) => r.body.state === 'running',
      { what: 'the task to run' },
    );
    const res = await cluster.post(`/tasks/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, state: 'cancelled', previous: 'running' });
    // the worker's handler saw its signal abort: nothing runs there any more
    await waitFor(
      async () => (await fetch(`${worker.url}/health/ready`)).json(),
      (body: any) => body.details?.node?.running === 0,
      { what: 'the worker to abort the handler' },
    );
    const view = (await cluster.get(`/tasks/${id}`)).body;
    expect(view).toMatchObject({ state: 'cancelled' });
    expect(view.history[0].outcome).toBe('cancelled');
    const nodes = (await cluster.get('/nodes')).body.nodes;
    expect(nodes[0].used.slots).toBe(0);
    const again = await cluster.post(`/tasks/${id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('cancels a queued task nobody can run, and can retry it from cancelled', async () => {
    const id = await submit({ type: 'nobody.runs.this' });
    const res = await cluster.post(`/tasks/${id}/cancel`);
    expect(res.body).toEqual({ id, state: 'cancelled', previous: 'queued' });
    const retried = await cluster.post(`/tasks/${id}/retry`);
    expect(retried.body).toEqual({ id, state: 'queued', previous: 'cancelled' });
    expect((await cluster.get(`/tasks/${id}`)).body.state).toBe('queued');
  });
});
