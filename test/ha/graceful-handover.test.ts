import { waitFor } from '../support/wait-for';
import { attemptHistoryViolations } from './attempt-history';
import {
  clusterAsSeenBy,
  reportTakeover,
  submitSleeps,
  taskReader,
  useTwoDispatcherCluster,
  leaderAndStandby,
  waitForLeader,
} from './leadership-probe';

const PATIENCE_MS = 180_000;
// A long TTL and a slow renewal tick: a standby that waited for either would be obvious.
const TTL_MS = 20_000;
const RENEW_MS = 5_000;

describe('a leader that stops on SIGTERM', () => {
  const clusterOf = useTwoDispatcherCluster(
    {
      workers: [{ slots: 4 }],
      env: { LEADER_LEASE_TTL_MS: String(TTL_MS), LEADER_RENEW_INTERVAL_MS: String(RENEW_MS) },
    },
    PATIENCE_MS,
  );

  it(
    'releases the lease, and the standby takes it at once, not when it would have expired',
    async () => {
      const cluster = clusterOf();
      const { leader, standby, standbyId, epoch } = await leaderAndStandby(cluster);

      const leaseLeftMs = await cluster.redis.pttl(cluster.key('leader'));
      const stoppedAt = Date.now();
      const exited = leader.stop('SIGTERM');
      const { at, view } = await waitForLeader(cluster, standby, standbyId);
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
      expect(view.epoch).toBe(epoch + 1);
      // the leader's last lines in the failure message: what it did instead of releasing
      expect({
        released: leader.logsMatching(/released the leader lease/).length,
        last: leader.logs.slice(-40),
      }).toMatchObject({ released: 1 });
      expect(
        standby.logsMatching(/let go; trying to take the lease/).length,
      ).toBeGreaterThanOrEqual(1);
      // it left the registry on the way out, long before its entry would have expired
      const after = await clusterAsSeenBy(cluster, standby);
      expect(after.dispatchers.map((d: any) => d.id)).toEqual([standbyId]);
    },
    PATIENCE_MS,
  );

  it(
    'schedules under the new leader',
    async () => {
      const cluster = clusterOf();
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
