import { OwnRedis } from '../support/redis-server';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';
import { attemptHistoryViolations } from './attempt-history';
import {
  clusterAsSeenBy,
  dispatcherId,
  reportTakeover,
  submitSleeps,
  taskReader,
  waitForLeader,
} from './leadership-probe';

const PATIENCE_MS = 180_000;
// A long TTL and a slow renewal tick: a standby that waited for either would be obvious.
const TTL_MS = 20_000;
const RENEW_MS = 5_000;

describe('a leader that stops on SIGTERM', () => {
  let redis: OwnRedis;
  let cluster: TestCluster;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await TestCluster.start({
      redisUrl: redis.url,
      dispatchers: 2,
      workers: [{ slots: 4 }],
      env: { LEADER_LEASE_TTL_MS: String(TTL_MS), LEADER_RENEW_INTERVAL_MS: String(RENEW_MS) },
    });
  }, PATIENCE_MS);

  afterAll(async () => {
    await cluster?.stop();
    await redis?.destroy();
  }, PATIENCE_MS);

  it(
    'releases the lease, and the standby takes it at once, not when it would have expired',
    async () => {
      const ids = await Promise.all(cluster.dispatchers.map((d) => dispatcherId(cluster, d)));
      const before = await waitFor(
        () => clusterAsSeenBy(cluster, cluster.dispatchers[0]),
        (v) => v.leader !== null && v.dispatchers.length === 2,
        { what: 'a leader and two listed dispatchers' },
      );
      const leaderIndex = ids.indexOf(before.leader);
      const leader = cluster.dispatchers[leaderIndex];
      const standby = cluster.dispatchers[1 - leaderIndex];

      const leaseLeftMs = await cluster.redis.pttl(cluster.key('leader'));
      const stoppedAt = Date.now();
      const exited = leader.stop('SIGTERM');
      const { at, view } = await waitForLeader(cluster, standby, ids[1 - leaderIndex]);
      reportTakeover(
        'SIGTERM',
        at - stoppedAt,
        `lease had ${leaseLeftMs} ms left, renewal every ${RENEW_MS} ms`,
      );
      await exited;
      if (process.env.HA_DEBUG)
        process.stdout.write(`${leader.logs.join('\n')}\n----\n${standby.logs.join('\n')}\n`);

      // taken while the released lease still had time left: the release, not expiry, handed it over
      expect(at).toBeLessThan(stoppedAt + leaseLeftMs);
      expect(view.epoch).toBe(before.epoch + 1);
      expect(leader.logsMatching(/released the leader lease/)).toHaveLength(1);
      expect(
        standby.logsMatching(/let go; trying to take the lease/).length,
      ).toBeGreaterThanOrEqual(1);
      // it left the registry on the way out, long before its entry would have expired
      const after = await clusterAsSeenBy(cluster, standby);
      expect(after.dispatchers.map((d: any) => d.id)).toEqual([ids[1 - leaderIndex]]);
    },
    PATIENCE_MS,
  );

  it(
    'schedules under the new leader',
    async () => {
      const taskIds = await submitSleeps(cluster, 50, 1);
      const views = await waitFor(
        () => taskReader(cluster)(taskIds),
        (vs) => vs.every((v) => v.state === 'succeeded'),
        { timeoutMs: 60_000, intervalMs: 100, what: '50 tasks to succeed' },
      );
      expect(attemptHistoryViolations(views)).toEqual([]);
    },
    PATIENCE_MS,
  );
});
