import { Redis } from 'ioredis';
import { ChannelNaming, Patterns, type TasksFinishedMessage } from '@switchyard/core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** Every tasks.finished message of the cluster, heard on the bus from the start. */
async function listen(
  cluster: TestCluster,
): Promise<{ heard: TasksFinishedMessage[]; sub: Redis }> {
  const sub = new Redis(cluster.redisUrl);
  const heard: TasksFinishedMessage[] = [];
  sub.on('message', (_channel, text: string) => {
    heard.push((JSON.parse(text) as { data: TasksFinishedMessage }).data);
  });
  await sub.subscribe(new ChannelNaming(cluster.prefix).channel(Patterns.TasksFinished));
  return { heard, sub };
}

/** Sum over the workers of switchyard_standby_tasks_total (tasks each took from its hints). */
async function refilledOnWorkers(cluster: TestCluster): Promise<number> {
  let sum = 0;
  for (const worker of cluster.workers.values()) {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('switchyard_standby_tasks_total'));
    sum += line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function runAll(cluster: TestCluster, count: number): Promise<any[]> {
  const specs = Array.from({ length: count }, (_, i) => ({
    type: 'sleep',
    payload: { ms: 2 + (i % 4) },
  }));
  const submitted = await cluster.post('/tasks/batch', { tasks: specs });
  expect(submitted.status).toBe(201);
  const ids: string[] = submitted.body.tasks.map((t: { id: string }) => t.id);
  return cluster.waitForTasks(ids);
}

describe('standby assignments with real dispatcher and worker processes', () => {
  let cluster: TestCluster;

  afterEach(async () => {
    await cluster?.stop();
  });

  it('refills freed slots from standby hints at finish, and every task succeeds exactly once', async () => {
    cluster = await TestCluster.start({ workers: [{ slots: 4 }, { slots: 4 }] });
    const { heard, sub } = await listen(cluster);
    try {
      const views = await runAll(cluster, 400);
      for (const view of views) {
        expect(view.state).toBe('succeeded');
        expect(view.attempts).toBe(1);
        expect(view.history).toHaveLength(1);
        expect(view.history[0].outcome).toBe('succeeded');
      }
      const ids = new Set(views.map((v) => v.id));
      const tookIds = () => heard.flatMap((m) => m.standby?.took ?? []);
      // each worker ran what its finish calls leased to it (as announced; the last
      // announcement may still be on its way when the tasks read succeeded)
      await waitFor(
        async () => [await refilledOnWorkers(cluster), tookIds().length],
        ([ran, announced]) => ran === announced,
        { what: 'the workers to count the tasks announced as taken from standby hints' },
      );
      const took = tookIds();
      // some tasks went to their node in its finish call, each at most once, none unknown
      expect(took.length).toBeGreaterThan(0);
      expect(new Set(took).size).toBe(took.length);
      for (const id of took) expect(ids.has(id)).toBe(true);
      // every lease given back: nothing holds capacity once all are done
      const nodes = await waitFor(
        async () => (await cluster.get('/nodes')).body.nodes as { used: { slots: number } }[],
        (list) => list.every((n) => n.used.slots === 0),
        { what: 'every node to have its slots back' },
      );
      expect(nodes).toHaveLength(2);
    } finally {
      sub.disconnect();
    }
  });

  it('with STANDBY_ASSIGNMENTS=false, runs everything through the leader’s passes only', async () => {
    cluster = await TestCluster.start({
      workers: [{ slots: 4 }, { slots: 4 }],
      env: { STANDBY_ASSIGNMENTS: 'false' },
    });
    const { heard, sub } = await listen(cluster);
    try {
      const views = await runAll(cluster, 200);
      for (const view of views) expect(view.state).toBe('succeeded');
      expect(heard.length).toBeGreaterThan(0);
      expect(heard.every((m) => m.standby === undefined)).toBe(true);
      expect(await cluster.redis.keys(`{${cluster.prefix}}:sb:*`)).toEqual([]);
    } finally {
      sub.disconnect();
    }
  });

  it('lets a node that finishes fast hold more than two refills of hints (by its pace)', async () => {
    // one worker of 2 slots, short tasks: it ends hundreds a second, so within STANDBY_HORIZON_MS
    // (50 ms) it ends more than 4, the most a fixed STANDBY_DEPTH of 2 allowed it
    cluster = await TestCluster.start({ workers: [{ slots: 2 }] });
    const node = [...cluster.workers.keys()][0];
    const list = `{${cluster.prefix}}:sb:${node}`;
    const ids: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const specs = Array.from({ length: 500 }, () => ({ type: 'sleep', payload: { ms: 0 } }));
      const submitted = await cluster.post('/tasks/batch', { tasks: specs });
      expect(submitted.status).toBe(201);
      ids.push(...submitted.body.tasks.map((t: { id: string }) => t.id));
    }
    let deepest = 0;
    await waitFor(
      async () => (deepest = Math.max(deepest, await cluster.redis.llen(list))),
      (n) => n > 4,
      { what: "the node's standby list to hold more than 4 hints", intervalMs: 2 },
    );
    const views = await cluster.waitForTasks(ids);
    expect(views.every((v) => v.state === 'succeeded')).toBe(true);
  });
});
