import { Redis } from 'ioredis';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

const CAP = 64 * 1024;
const ID = '01JD0000000000000000000000';

/** The value of switchyard_bus_messages_dropped_total{pattern, reason} in an exposition text. */
function dropped(metrics: string, pattern: string, reason: string): number {
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('switchyard_bus_messages_dropped_total{') &&
        l.includes(`pattern="${pattern}"`) &&
        l.includes(`reason="${reason}"`),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Garbage of every kind for one channel, with the reason each must be dropped for. */
function garbage(pattern: string): [string, string][] {
  return [
    ['not json at all', 'unparseable'],
    ['{"pattern":"' + pattern + '","data":', 'unparseable'],
    [JSON.stringify({ pattern, data: { pad: 'x'.repeat(CAP) } }), 'oversized'],
    [
      JSON.stringify({ pattern, data: { node: 42, tasks: 'all', count: -1, epoch: 'x' } }),
      'invalid',
    ],
    [JSON.stringify({ pattern, data: null }), 'invalid'],
    [JSON.stringify({ pattern: 'tasks.explode', data: {} }), 'unknown-pattern'],
    [JSON.stringify([pattern]), 'malformed'],
    [JSON.stringify({ pattern, data: {}, id: 'reply-to-me' }), 'malformed'],
  ];
}

describe('malformed bus messages', () => {
  let cluster: TestCluster;
  let raw: Redis;
  let workerId: string;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [{ id: `wb-${Date.now() % 100000}` }],
      env: { MAX_BUS_MESSAGE_BYTES: String(CAP) },
    });
    workerId = [...cluster.workers.keys()][0];
    raw = new Redis(cluster.redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await raw?.quit();
    await cluster?.stop();
  });

  const dispatcherPatterns = [
    'tasks.submitted',
    'tasks.finished',
    'nodes.changed',
    'leader.released',
  ];
  const workerPatterns = ['node.assigned', 'node.cancel', 'node.drain'];

  it('drops garbage, huge, wrong-typed and unknown-pattern messages on every channel, counting each', async () => {
    const channels = [
      ...dispatcherPatterns.map((p) => ({ p, channel: `${cluster.prefix}:${p}`, app: 'd' })),
      ...workerPatterns.map((p) => ({
        p,
        channel: `${cluster.prefix}:${p}:${workerId}`,
        app: 'w',
      })),
    ];
    for (const { channel } of channels)
      expect(((await raw.pubsub('NUMSUB', channel)) as [string, number])[1]).toBeGreaterThanOrEqual(
        1,
      );

    const expected = new Map<string, number>();
    for (const { p, channel } of channels) {
      for (const [message, reason] of garbage(p)) {
        expect(await raw.publish(channel, message)).toBeGreaterThanOrEqual(1);
        expected.set(`${p} ${reason}`, (expected.get(`${p} ${reason}`) ?? 0) + 1);
      }
    }

    const worker = cluster.workers.get(workerId)!;
    const scrape = async (): Promise<string> =>
      (await cluster.requestTo(cluster.dispatcher, 'GET', '/metrics')).body +
      (await cluster.requestTo(worker, 'GET', '/metrics')).body;
    const metrics = await waitFor(
      scrape,
      (text) =>
        [...expected].every(([key, n]) => {
          const [p, reason] = key.split(' ');
          return dropped(text, p, reason) === n;
        }),
      { what: 'every drop counted on /metrics' },
    );
    expect(dropped(metrics, 'node.assigned', 'oversized')).toBe(1);
    expect(dropped(metrics, 'tasks.finished', 'invalid')).toBe(2);
    expect(cluster.dispatcher.running).toBe(true);
    expect(worker.running).toBe(true);
    expect(cluster.dispatcher.logsMatching(/dropped a tasks\.\w+ message/).length).toBeGreaterThan(
      0,
    );
  });

  it('logs a flood of garbage with a bounded number of warnings', async () => {
    const worker = cluster.workers.get(workerId)!;
    const before = worker.logsMatching(/dropped a node\./).length;
    const startedAt = Date.now();
    const flood = 3000;
    const pipeline = raw.pipeline();
    for (let i = 0; i < flood; i++)
      pipeline.publish(`${cluster.prefix}:node.cancel:${workerId}`, `junk ${i}`);
    await pipeline.exec();
    await waitFor(
      async () => (await cluster.requestTo(worker, 'GET', '/metrics')).body as string,
      (text) => dropped(text, 'node.cancel', 'unparseable') >= flood + 2,
      { what: 'the flood counted' },
    );
    const windows = Math.ceil((Date.now() - startedAt) / 10_000) + 1;
    const warnings = worker.logsMatching(/dropped a node\./).length - before;
    expect(warnings).toBeLessThanOrEqual(windows);
    expect(worker.running).toBe(true);
  });

  it('ignores a well-formed drain for another incarnation and a cancel of a task it does not run', async () => {
    const worker = cluster.workers.get(workerId)!;
    const channel = (p: string): string => `${cluster.prefix}:${p}:${workerId}`;
    const markers = async (): Promise<number> =>
      dropped(
        (await cluster.requestTo(worker, 'GET', '/metrics')).body as string,
        'node.drain',
        'unparseable',
      );
    const before = await markers();
    await raw.publish(
      channel('node.cancel'),
      JSON.stringify({
        pattern: 'node.cancel',
        data: { node: workerId, tasks: [{ id: ID, lease: 1 }] },
      }),
    );
    await raw.publish(
      channel('node.drain'),
      JSON.stringify({ pattern: 'node.drain', data: { node: workerId, incarnation: 999_999 } }),
    );
    // messages on one channel arrive in order: once this marker is counted, the drain was handled
    await raw.publish(channel('node.drain'), 'marker');
    await waitFor(markers, (n) => n === before + 1, { what: 'the marker dropped' });
    const node = await cluster.waitForNode(workerId, () => true);
    expect(node.status).toBe('alive');
    expect(worker.running).toBe(true);
  });

  it('still runs every task submitted afterwards', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await cluster.post('/tasks', { type: 'echo', payload: { i } });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const views = await cluster.waitForTasks(ids);
    expect(views.map((v) => v.state)).toEqual(ids.map(() => 'succeeded'));
    expect(views.map((v) => v.result)).toEqual(ids.map((_, i) => ({ i })));
    const node = await cluster.waitForNode(workerId, () => true);
    expect(node.status).toBe('alive');
    expect(cluster.dispatcher.running && cluster.workers.get(workerId)!.running).toBe(true);
  });
});
