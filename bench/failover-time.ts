// Measures the time from a worker's death (kill -9) to its tasks being re-queued, and compares
// it with the bound NODE_DEAD_AFTER_MS + HEALTH_CHECK_INTERVAL_MS. Starts real processes on a
// private prefix of the shared Redis (build first: `node scripts/build.js`).
//
//   TS_NODE_TRANSPILE_ONLY=1 npx ts-node -r tsconfig-paths/register bench/failover-time.ts [runs]
//
// Thresholds come from the environment (defaults: the shipped configuration).
import { TestCluster } from '../test/support/test-cluster';
import { waitFor } from '../test/support/wait-for';

const env = {
  HEARTBEAT_INTERVAL_MS: process.env.HEARTBEAT_INTERVAL_MS ?? '1000',
  NODE_SUSPECT_AFTER_MS: process.env.NODE_SUSPECT_AFTER_MS ?? '3000',
  NODE_DEAD_AFTER_MS: process.env.NODE_DEAD_AFTER_MS ?? '5000',
  HEALTH_CHECK_INTERVAL_MS: process.env.HEALTH_CHECK_INTERVAL_MS ?? '1000',
  LOG_LEVEL: 'info',
};
const bound = Number(env.NODE_DEAD_AFTER_MS) + Number(env.HEALTH_CHECK_INTERVAL_MS);

async function once(cluster: TestCluster, run: number): Promise<number> {
  const id = `victim-${run}`;
  const victim = await cluster.startWorker({ id, slots: 2, labels: `run=${run}` });
  const res = await cluster.post('/tasks/batch', {
    tasks: [1, 2].map(() => ({
      type: 'sleep',
      payload: { ms: 600_000 },
      requirements: { labels: { run: String(run) } },
    })),
  });
  const ids: string[] = res.body.tasks.map((t: { id: string }) => t.id);
  await waitFor(
    () => Promise.all(ids.map(async (t) => (await cluster.get(`/tasks/${t}`)).body)),
    (views) => views.every((v) => v.state === 'running'),
    { timeoutMs: 30_000, what: 'the victim to run its tasks' },
  );
  const killedAt = Date.now();
  await victim.stop('SIGKILL');
  const views = await waitFor(
    () => Promise.all(ids.map(async (t) => (await cluster.get(`/tasks/${t}`)).body)),
    (vs) => vs.every((v) => v.history.some((h: { outcome?: string }) => h.outcome === 'lost')),
    { timeoutMs: bound * 4, intervalMs: 50, what: 'the tasks to be re-queued' },
  );
  await Promise.all(ids.map((t) => cluster.post(`/tasks/${t}/cancel`)));
  const requeuedAt = Math.max(
    ...views.map(
      (v) => v.history.find((h: { outcome?: string }) => h.outcome === 'lost').endedAt as number,
    ),
  );
  return requeuedAt - killedAt;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const cluster = await TestCluster.start({ env });
  try {
    const times: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const ms = await once(cluster, run);
      times.push(ms);
      console.log(`run ${run}: kill -9 → re-queued in ${ms} ms`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `failover (n=${runs}): min ${sorted[0]} ms, median ${sorted[Math.floor(runs / 2)]} ms, max ${sorted[runs - 1]} ms; ` +
        `bound NODE_DEAD_AFTER_MS ${env.NODE_DEAD_AFTER_MS} + HEALTH_CHECK_INTERVAL_MS ${env.HEALTH_CHECK_INTERVAL_MS} = ${bound} ms; ` +
        `${times.every((t) => t <= bound) ? 'all within' : 'NOT all within'} the bound`,
    );
  } finally {
    await cluster.stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
