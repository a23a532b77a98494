import { TestCluster } from '../support/test-cluster';

describe('delayed tasks', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 1 });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('holds a task with delayMs until its time, then runs it', async () => {
    const before = Date.now();
    const res = await cluster.post('/tasks', { type: 'echo', payload: 1, delayMs: 1500 });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('delayed');
    const waiting = (await cluster.get(`/tasks/${res.body.id}`)).body;
    expect(waiting.state).toBe('delayed');
    expect(waiting.runAt).toBeGreaterThanOrEqual(before + 1500);
    expect(waiting.waitingReason).toMatch(/^delayed until \d{4}-/);
    const [done] = await cluster.waitForTasks([res.body.id]);
    expect(done.state).toBe('succeeded');
    expect(done.history[0].assignedAt).toBeGreaterThanOrEqual(waiting.runAt);
  });

  it('holds a task with runAt until that time', async () => {
    const runAt = Date.now() + 1000;
    const res = await cluster.post('/tasks', { type: 'echo', payload: 2, runAt });
    expect(res.body.state).toBe('delayed');
    const [done] = await cluster.waitForTasks([res.body.id]);
    expect(done.history[0].assignedAt).toBeGreaterThanOrEqual(runAt);
  });

  it('queues a task whose runAt has passed at once', async () => {
    const res = await cluster.post('/tasks', {
      type: 'echo',
      payload: 3,
      runAt: Date.now() - 60_000,
    });
    expect(res.body.state).toBe('queued');
    const [done] = await cluster.waitForTasks([res.body.id]);
    expect(done.state).toBe('succeeded');
  });

  it('rejects delayMs together with runAt', async () => {
    const res = await cluster.post('/tasks', { type: 'echo', delayMs: 10, runAt: Date.now() + 10 });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/delayMs or runAt, not both/);
  });
});
