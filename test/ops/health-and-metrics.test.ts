import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** Value of one sample in Prometheus text format, or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function text(url: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(url);
  return {
    status: res.status,
    body: await res.text(),
    type: res.headers.get('content-type') ?? '',
  };
}

describe('health and metrics', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: [{ id: 'hm-1', slots: 4 }] });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('reports the dispatcher live and ready with Redis, bus and leader up', async () => {
    expect((await cluster.get('/health/live')).body.status).toBe('ok');
    const ready = await waitFor(
      () => cluster.get('/health/ready'),
      (r) => r.status === 200,
      { timeoutMs: 20_000, what: 'readiness' },
    );
    expect(ready.body.details).toMatchObject({
      redis: { status: 'up' },
      bus: { status: 'up' },
      leader: { status: 'up' },
    });
    expect(ready.body.details.leader.epoch).toBeGreaterThan(0);
  });

  it('reports the worker ready on its own port, registered and heartbeating', async () => {
    const worker = cluster.workers.get('hm-1')!;
    const res = await fetch(`${worker.url}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.details).toMatchObject({
      redis: { status: 'up' },
      bus: { status: 'up' },
      node: { status: 'up', id: 'hm-1' },
    });
    expect((await fetch(`${worker.url}/health/live`)).status).toBe(200);
  });

  it('exposes task, queue, node and leader metrics with Prometheus names', async () => {
    const ok = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 5 }, (_, i) => ({ type: 'echo', payload: { i } })),
    });
    const bad = await cluster.post('/tasks', {
      type: 'fail',
      payload: { message: 'no', retryable: false },
    });
    const stuck = await cluster.post('/tasks', { type: 'nobody.runs.this', priority: 7 });
    expect([ok.status, bad.status, stuck.status]).toEqual([201, 201, 201]);
    await cluster.waitForTasks([...ok.body.tasks.map((t: { id: string }) => t.id), bad.body.id]);

    const d = await text(`${cluster.dispatcher.url}/metrics`);
    expect(d.status).toBe(200);
    expect(d.type).toMatch(/^text\/plain/);
    expect(
      sample(d.body, 'switchyard_cluster_tasks_total', { event: 'submitted' }),
    ).toBeGreaterThanOrEqual(7);
    expect(
      sample(d.body, 'switchyard_cluster_tasks_total', { event: 'succeeded' }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      sample(d.body, 'switchyard_cluster_tasks_total', { event: 'failed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(d.body, 'switchyard_queue_depth', { type: 'nobody.runs.this' })).toBe(1);
    expect(
      sample(d.body, 'switchyard_queue_depth_by_priority', {
        type: 'nobody.runs.this',
        priority: '7',
      }),
    ).toBe(1);
    expect(sample(d.body, 'switchyard_tasks_waiting', { reason: 'noNodeForType' })).toBe(1);
    expect(sample(d.body, 'switchyard_nodes', { status: 'alive' })).toBe(1);
    expect(sample(d.body, 'switchyard_node_slots', { node: 'hm-1' })).toBe(4);
    expect(sample(d.body, 'switchyard_slot_utilization_ratio')).toBeGreaterThanOrEqual(0);
    // the node's finishes were heard: its pace (which sizes its standby hints) is above 0, and
    // with every runnable task done no hint is held for it
    await waitFor(
      async () => (await text(`${cluster.dispatcher.url}/metrics`)).body,
      (body) =>
        (sample(body, 'switchyard_node_pace', { node: 'hm-1' }) ?? 0) > 0 &&
        sample(body, 'switchyard_standby_hint_slots', { node: 'hm-1' }) === 0,
      { what: "hm-1's pace and standby hints in the dispatcher's metrics" },
    );
    expect(sample(d.body, 'switchyard_leader_epoch')).toBeGreaterThan(0);
    expect(d.body).toContain('# TYPE switchyard_cluster_tasks_total counter');

    const worker = cluster.workers.get('hm-1')!;
    const w = await text(`${worker.url}/metrics`);
    expect(w.status).toBe(200);
    expect(sample(w.body, 'switchyard_tasks_succeeded_total', { type: 'echo' })).toBe(5);
    expect(sample(w.body, 'switchyard_tasks_failed_total', { type: 'fail' })).toBe(1);
    expect(sample(w.body, 'switchyard_task_submit_to_start_seconds_count', { type: 'echo' })).toBe(
      5,
    );
    expect(
      sample(w.body, 'switchyard_task_submit_to_finish_seconds_count', {
        type: 'echo',
        state: 'succeeded',
      }),
    ).toBe(5);
    expect(
      sample(w.body, 'switchyard_handler_duration_seconds_count', {
        type: 'fail',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(w.body).toContain('# TYPE switchyard_task_submit_to_start_seconds histogram');
  });

  it('counts retries by type on the worker', async () => {
    const res = await cluster.post('/tasks', {
      type: 'fail',
      payload: { message: 'again', retryable: true },
      maxAttempts: 2,
      retry: { backoff: 'fixed', baseMs: 10, capMs: 10, jitter: 0 },
    });
    await cluster.waitForTasks([res.body.id]);
    const worker = cluster.workers.get('hm-1')!;
    const w = await text(`${worker.url}/metrics`);
    expect(sample(w.body, 'switchyard_tasks_retried_total', { type: 'fail' })).toBe(1);
  });
});

describe('readiness through a Redis outage', () => {
  let redis: OwnRedis;
  let cluster: TestCluster;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await TestCluster.start({ redisUrl: redis.url, workers: [{ id: 'ro-1' }] });
  });

  afterAll(async () => {
    await cluster.stop();
    await redis.destroy();
  });

  it('answers 503 naming Redis while it is down, and 200 again once it is back', async () => {
    const worker = cluster.workers.get('ro-1')!;
    const dispatcherReady = (): Promise<Response> =>
      fetch(`${cluster.dispatcher.url}/health/ready`);
    const workerReady = (): Promise<Response> => fetch(`${worker.url}/health/ready`);
    await waitFor(dispatcherReady, (r) => r.status === 200, {
      timeoutMs: 20_000,
      what: 'dispatcher ready',
    });

    await redis.stop();
    const down = await waitFor(dispatcherReady, (r) => r.status === 503, {
      timeoutMs: 20_000,
      what: 'dispatcher not ready',
    });
    const body = (await down.json()) as any;
    expect(body.status).toBe('error');
    expect(body.error.redis.status).toBe('down');
    expect((await workerReady()).status).toBe(503);
    // liveness does not depend on Redis: restarting the process would not help
    expect((await fetch(`${cluster.dispatcher.url}/health/live`)).status).toBe(200);

    await redis.startProcess();
    await waitFor(dispatcherReady, (r) => r.status === 200, {
      timeoutMs: 30_000,
      what: 'dispatcher ready again',
    });
    await waitFor(workerReady, (r) => r.status === 200, {
      timeoutMs: 30_000,
      what: 'worker ready again',
    });
  });
});
