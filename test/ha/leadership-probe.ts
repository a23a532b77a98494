import { Keyspace, loadConfig, TaskStore, type TaskView } from '@switchyard/core';
import type { AppProcess } from '../support/app-process';
import type { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

/** GET /cluster as one particular dispatcher answers it. */
export async function clusterAsSeenBy(cluster: TestCluster, d: AppProcess): Promise<any> {
  const res = await cluster.requestTo(d, 'GET', '/cluster');
  if (res.status !== 200) throw new Error(`GET /cluster from ${d.name}: ${res.status}`);
  return res.body;
}

/** The registry id of a dispatcher (its leader-lease token). */
export async function dispatcherId(cluster: TestCluster, d: AppProcess): Promise<string> {
  return (await clusterAsSeenBy(cluster, d)).self;
}

/** Waits until `via` reports `leaderId` leading; returns when it saw it (epoch ms) and the view. */
export async function waitForLeader(
  cluster: TestCluster,
  via: AppProcess,
  leaderId: string,
  timeoutMs = 30_000,
): Promise<{ at: number; view: any }> {
  const view = await waitFor(
    () => clusterAsSeenBy(cluster, via),
    (v) => v.leader === leaderId,
    { timeoutMs, intervalMs: 10, what: `${leaderId} to lead (asking ${via.name})` },
  );
  return { at: Date.now(), view };
}

/** The task records, read straight from Redis (faster than one GET per task). */
export function taskReader(cluster: TestCluster): (ids: readonly string[]) => Promise<TaskView[]> {
  const store = new TaskStore(cluster.redis, new Keyspace(cluster.prefix), loadConfig({}));
  return async (ids) => {
    const views: TaskView[] = [];
    for (let i = 0; i < ids.length; i += 500)
      views.push(...(await store.getMany(ids.slice(i, i + 500))));
    return views;
  };
}

/** Submits `count` sleep tasks in batches; returns their ids. */
export async function submitSleeps(
  cluster: TestCluster,
  count: number,
  ms: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 250) {
    const n = Math.min(250, count - i);
    const tasks = Array.from({ length: n }, (_, j) => ({
      type: 'sleep',
      payload: { ms, i: i + j },
    }));
    const res = await cluster.post('/tasks/batch', { tasks });
    if (res.status !== 201)
      throw new Error(`batch submit: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.tasks.map((t: { id: string }) => t.id));
  }
  return ids;
}

/** How many of this cluster's tasks have succeeded so far (the stats counter). */
export async function succeededCount(cluster: TestCluster): Promise<number> {
  return Number((await cluster.redis.hget(cluster.key('stats'), 'succeeded')) ?? 0);
}

/** One line for the test output and the report (the measured times are not asserted). */
export function reportTakeover(what: string, ms: number, note: string): void {
  process.stdout.write(`[ha] ${what}: standby led ${ms} ms after the signal (${note})\n`);
}
