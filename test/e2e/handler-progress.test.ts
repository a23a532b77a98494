import { SseClient } from '../support/sse-client';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** The `count` example handler: a DTO-validated payload and ctx.progress. */
describe('handler payload DTOs and progress', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 1, env: { PROGRESS_INTERVAL_MS: '50' } });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('fails an invalid payload at once, non-retryable, with the validation message', async () => {
    const res = await cluster.post('/tasks', {
      type: 'count',
      payload: { steps: 0, stepMs: 'soon' },
      maxAttempts: 5,
    });
    expect(res.status).toBe(201);
    const [view] = await cluster.waitForTasks([res.body.id]);
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ code: 'invalid_payload', retryable: false });
    expect(view.error.message).toContain('steps must not be less than 1');
    expect(view.error.message).toContain('stepMs must be an integer number');
    expect(view.history).toHaveLength(1);
  });

  it('shows progress in GET /tasks/:id and as progress events while the task runs', async () => {
    const res = await cluster.post('/tasks', {
      type: 'count',
      payload: { steps: 40, stepMs: 100 },
    });
    const id: string = res.body.id;
    const events = await SseClient.open(
      `${cluster.dispatcher.url}/events?kind=progress&taskId=${id}&after=0-0`,
    );
    try {
      const mid = await waitFor(
        async () => (await cluster.get(`/tasks/${id}`)).body,
        (v) => v.state === 'running' && v.progress?.percent > 0 && v.progress.percent < 100,
        { what: 'progress between 0 and 100 while running' },
      );
      expect(mid.progress.data).toEqual({ step: expect.any(Number), of: 40 });
      expect(mid.progress.percent).toBeCloseTo((mid.progress.data.step / 40) * 100);
      const seen = await events.waitFor((es) => es.length > 0, `a progress event of ${id}`);
      expect(seen[0]).toMatchObject({
        event: 'progress',
        data: { subject: id, type: 'count', state: 'running' },
      });
      const [done] = await cluster.waitForTasks([id]);
      expect(done.state).toBe('succeeded');
      expect(done.result).toEqual({ counted: 40 });
      expect(done.progress.percent).toBeGreaterThan(0);
    } finally {
      await events.close();
    }
  });
});
