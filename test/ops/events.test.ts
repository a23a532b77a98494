import { SseClient } from '../support/sse-client';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

describe('GET /events', () => {
  let cluster: TestCluster;
  const open: SseClient[] = [];
  const sse = async (query = '', headers: Record<string, string> = {}): Promise<SseClient> => {
    const client = await SseClient.open(`${cluster.dispatcher.url}/events${query}`, headers);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [{ id: 'ev-1', slots: 8 }],
      env: { EVENTS_MAX_CLIENTS: '6' },
    });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('streams a task from queued to succeeded, filtered by task id', async () => {
    const submitted = await cluster.post('/tasks', {
      type: 'echo',
      payload: { hello: 'events' },
      delayMs: 300,
    });
    const id = submitted.body.id;
    const client = await sse(`?taskId=${id}&after=0-0`);
    expect(client.status).toBe(200);
    const events = await client.waitFor(
      (es) => es.some((e) => e.data?.state === 'succeeded'),
      `task ${id} to succeed`,
    );
    expect(
      events.every((e) => e.event === 'task' && e.data.subject === id && e.data.type === 'echo'),
    ).toBe(true);
    const states = events.map((e) => e.data.state);
    expect(states[0]).toBe('delayed');
    expect(states).toEqual(expect.arrayContaining(['queued', 'assigned', 'succeeded']));
    expect(states.indexOf('queued')).toBeLessThan(states.indexOf('assigned'));
    expect(states.indexOf('assigned')).toBeLessThan(states.indexOf('succeeded'));
    expect(events.find((e) => e.data.state === 'assigned')!.data.node).toBe('ev-1');
    expect(events.every((e) => e.id === e.data.id)).toBe(true);
  });

  it('filters by task type and kind', async () => {
    const client = await sse('?type=hash');
    const nodes = await sse('?kind=node');
    // subscriptions are live once the response started; submit after
    const res = await cluster.post('/tasks/batch', {
      tasks: [{ type: 'hash', payload: { rounds: 1 } }, { type: 'echo' }],
    });
    await client.waitFor(
      (es) =>
        es.some((e) => e.data.subject === res.body.tasks[0].id && e.data.state === 'succeeded'),
      'the hash task',
    );
    expect(client.events.every((e) => e.event === 'task' && e.data.type === 'hash')).toBe(true);
    await cluster.startWorker({ id: 'ev-2', slots: 1 });
    await nodes.waitFor(
      (es) => es.some((e) => e.data.subject === 'ev-2' && e.data.state === 'alive'),
      'node ev-2 joining',
    );
    expect(nodes.events.every((e) => e.event === 'node')).toBe(true);
  });

  it('writes one stream entry per batch, and every task ends with exactly one terminal event matching Redis', async () => {
    const before = await cluster.redis.xlen(cluster.key('events'));
    const client = await sse('?type=sleep');
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 60 }, () => ({ type: 'sleep', payload: { ms: 5 } })),
    });
    const ids: string[] = res.body.tasks.map((t: { id: string }) => t.id);
    const views = await cluster.waitForTasks(ids);
    await client.waitFor(
      (es) =>
        new Set(es.filter((e) => TERMINAL.includes(e.data.state)).map((e) => e.data.subject))
          .size === 60,
      'terminal events of 60 tasks',
    );
    for (const view of views) {
      const mine = client.events.filter((e) => e.data.subject === view.id);
      expect(mine.filter((e) => TERMINAL.includes(e.data.state))).toHaveLength(1);
      expect(mine[mine.length - 1].data.state).toBe(view.state);
    }
    const queuedEvents = client.events.filter(
      (e) => e.data.state === 'queued' && ids.includes(e.data.subject),
    );
    // the 60 "queued" events of the batch share one stream entry (one XADD)
    expect(new Set(queuedEvents.map((e) => e.id!.split('.')[0])).size).toBe(1);
    expect(await cluster.redis.xlen(cluster.key('events'))).toBeGreaterThan(before);
  });

  it('misses nothing after a reconnect with Last-Event-ID', async () => {
    const steady = await sse('?type=echo');
    const flaky = await sse('?type=echo');
    const first = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 5 }, (_, i) => ({ type: 'echo', payload: { i } })),
    });
    await cluster.waitForTasks(first.body.tasks.map((t: { id: string }) => t.id));
    await flaky.waitFor(
      (es) => es.filter((e) => e.data.state === 'succeeded').length >= 5,
      'first five',
    );
    const lastSeen = flaky.events[flaky.events.length - 1].id!;
    const seenBefore = flaky.events.map((e) => e.id);
    await flaky.close();

    // while it is away: more changes
    const second = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 20 }, (_, i) => ({ type: 'echo', payload: { i } })),
    });
    const secondIds: string[] = second.body.tasks.map((t: { id: string }) => t.id);
    await cluster.waitForTasks(secondIds);
    await steady.waitFor(
      (es) =>
        secondIds.every((id) =>
          es.some((e) => e.data.subject === id && e.data.state === 'succeeded'),
        ),
      'steady client to see all',
    );

    const resumed = await sse('?type=echo', { 'Last-Event-ID': lastSeen });
    await resumed.waitFor(
      (es) =>
        secondIds.every((id) =>
          es.some((e) => e.data.subject === id && e.data.state === 'succeeded'),
        ),
      'resumed client to catch up',
    );
    const steadyIds = steady.events.map((e) => e.id);
    const combined = [...seenBefore, ...resumed.events.map((e) => e.id)];
    // same events, same order, none twice, none missing
    expect(combined).toEqual(steadyIds.slice(0, combined.length));
    expect(new Set(combined).size).toBe(combined.length);
  });

  it('resumes inside a batch entry at the exact event', async () => {
    const steady = await sse('?type=echo&after=0-0');
    const res = await cluster.post('/tasks/batch', {
      tasks: Array.from({ length: 4 }, () => ({ type: 'echo' })),
    });
    const ids: string[] = res.body.tasks.map((t: { id: string }) => t.id);
    await steady.waitFor(
      (es) => ids.every((id) => es.some((e) => e.data.subject === id && e.data.state === 'queued')),
      'the batch',
    );
    const batch = steady.events.filter(
      (e) => ids.includes(e.data.subject) && e.data.state === 'queued',
    );
    const resumed = await sse('?type=echo', { 'Last-Event-ID': batch[1].id! });
    await resumed.waitFor((es) => es.length >= 2, 'the rest of the batch');
    expect(resumed.events.slice(0, 2).map((e) => e.id)).toEqual([batch[2].id, batch[3].id]);
  });

  it('streams node changes: draining, leaving, and a killed node declared suspect then dead', async () => {
    const nodes = await sse('?kind=node');
    await cluster.startWorker({ id: 'ev-drained', slots: 1 });
    await cluster.startWorker({ id: 'ev-killed', slots: 1 });
    expect((await cluster.post('/nodes/ev-drained/drain')).status).toBe(202);
    cluster.workers.get('ev-killed')!.signal('SIGKILL');
    const states = (id: string): string[] =>
      nodes.events.filter((e) => e.data.subject === id).map((e) => e.data.state);
    await nodes.waitFor(
      () => states('ev-drained').includes('left') && states('ev-killed').includes('dead'),
      'drain, leave and death',
    );
    expect(states('ev-drained')).toEqual(['alive', 'draining', 'left']);
    expect(states('ev-killed')).toEqual(['alive', 'suspect', 'dead']);
  });

  it('rejects a malformed Last-Event-ID and unknown filters with 400', async () => {
    expect((await sse('', { 'Last-Event-ID': 'yesterday' })).status).toBe(400);
    expect((await sse('?bogus=1')).status).toBe(400);
    expect((await sse('?kind=planet')).status).toBe(400);
  });

  it('bounds the number of clients with 503', async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => sse()));
    expect(clients.every((c) => c.status === 200)).toBe(true);
    const extra = await sse();
    expect(extra.status).toBe(503);
    await clients[0].close();
    await waitFor(
      async () => (await sse()).status,
      (s) => s === 200,
      { timeoutMs: 10_000, what: 'a freed client slot' },
    );
  });
});

describe('the bounded event stream', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await TestCluster.start({ workers: 0, env: { EVENTS_STREAM_MAX_LEN: '50' } });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('stays near its bound, and tells a client that resumes from a trimmed id about the gap', async () => {
    const firstTask = await cluster.post('/tasks', { type: 'nobody.takes.this' });
    const [first] = (await cluster.redis.xrange(cluster.key('events'), '-', '+', 'COUNT', 1)) as [
      string,
      string[],
    ][];
    expect(firstTask.status).toBe(201);
    for (let i = 0; i < 300; i++) await cluster.post('/tasks', { type: 'nobody.takes.this' });
    // MAXLEN ~ trims whole stream nodes (100 entries by default): bounded, not exact
    expect(await cluster.redis.xlen(cluster.key('events'))).toBeLessThanOrEqual(50 + 100);
    const client = await SseClient.open(`${cluster.dispatcher.url}/events`, {
      'Last-Event-ID': `${first[0]}.0`,
    });
    try {
      const [gap] = await client.waitFor((es) => es.length > 0, 'the gap notice');
      expect(gap.event).toBe('gap');
    } finally {
      await client.close();
    }
  });
});
