import { Keyspace, loadConfig, TaskStore, type TaskView } from '@switchyard/core';
import type { AppProcess } from '../support/app-process';
import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
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

export interface LeaderPair {
  leader: AppProcess;
  leaderId: string;
  standby: AppProcess;
  standbyId: string;
  /** The leader's epoch when it was found. */
  epoch: number;
}

/** Which of a two-dispatcher cluster leads, once both are listed and a leader is known. */
export async function leaderAndStandby(cluster: TestCluster): Promise<LeaderPair> {
  const ids = await Promise.all(cluster.dispatchers.map((d) => dispatcherId(cluster, d)));
  const view = await waitFor(
    () => clusterAsSeenBy(cluster, cluster.dispatchers[0]),
    (v) => v.leader !== null && v.dispatchers.length === 2,
    { what: 'a leader and two listed dispatchers' },
  );
  const leaderIndex = ids.indexOf(view.leader);
  if (leaderIndex < 0) throw new Error(`leader ${view.leader} is neither of ${ids.join(', ')}`);
  return {
    leader: cluster.dispatchers[leaderIndex],
    leaderId: ids[leaderIndex],
    standby: cluster.dispatchers[1 - leaderIndex],
    standbyId: ids[1 - leaderIndex],
    epoch: view.epoch,
  };
}

/**
 * Registers hooks that run two dispatchers and the given workers on an own redis-server (fault
 * tests must not touch the shared one); the returned function gives the running cluster.
 */
export function useTwoDispatcherCluster(
  opts: Pick<NonNullable<Parameters<typeof TestCluster.start>[0]>, 'workers' | 'env'>,
  patienceMs: number,
): () => TestCluster {
  let redis: OwnRedis | undefined;
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await TestCluster.start({ ...opts, redisUrl: redis.url, dispatchers: 2 });
  }, patienceMs);
  afterAll(async () => {
    await cluster?.stop();
    await redis?.destroy();
  }, patienceMs);
  return () => {
    if (!cluster) throw new Error('the cluster did not start');
    return cluster;
  };
}
