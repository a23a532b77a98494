import { FAST_TIMINGS } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';
import { attemptHistoryViolations } from './attempt-history';
import {
  clusterAsSeenBy,
  reportTakeover,
  submitSleeps,
  succeededCount,
  taskReader,
  useTwoDispatcherCluster,
  leaderAndStandby,
  waitForLeader,
} from './leadership-probe';

const PATIENCE_MS = 180_000;
const TTL_MS = Number(FAST_TIMINGS.LEADER_LEASE_TTL_MS);
const RENEW_MS = Number(FAST_TIMINGS.LEADER_RENEW_INTERVAL_MS);

describe('a leader paused (SIGSTOP) past its lease TTL, then woken (SIGCONT)', () => {
  const clusterOf = useTwoDispatcherCluster({ workers: [{ slots: 4 }, { slots: 4 }] }, PATIENCE_MS);

  it(
    'assigns no task twice for one attempt, and the woken dispatcher steps down',
    async () => {
      const cluster = clusterOf();
      const { leader, leaderId, standby, standbyId, epoch } = await leaderAndStandby(cluster);

      const taskIds = await submitSleeps(cluster, 1000, 25);
      await waitFor(
        () => succeededCount(cluster),
        (n) => n >= 150,
        { timeoutMs: 60_000, what: '150 tasks done' },
      );
      const leaseLeftMs = await cluster.redis.pttl(cluster.key('leader'));
      const pausedAt = Date.now();
      leader.signal('SIGSTOP');

      const { at, view } = await waitForLeader(cluster, standby, standbyId);
      reportTakeover(
        'SIGSTOP',
        at - pausedAt,
        `lease had ${leaseLeftMs} ms left; bound TTL + renewal = ${TTL_MS + RENEW_MS} ms`,
      );
      expect(view.epoch).toBe(epoch + 1);
      // let the new leader assign work the paused one still believes it may schedule
      const doneAtTakeover = await succeededCount(cluster);
      await waitFor(
        () => succeededCount(cluster),
        (n) => n >= doneAtTakeover + 100,
        {
          timeoutMs: 60_000,
          what: '100 more tasks done under the new leader',
        },
      );
      expect(await succeededCount(cluster)).toBeLessThan(1000);

      leader.signal('SIGCONT');
      const seenByWoken = await waitFor(
        () => clusterAsSeenBy(cluster, leader),
        (v) => v.leader === standbyId && v.dispatchers.length === 2,
        { what: 'the woken dispatcher to report the other as leader' },
      );
      expect(seenByWoken.self).toBe(leaderId);
      expect(seenByWoken.dispatchers.find((d: any) => d.self)).toMatchObject({
        id: leaderId,
        leader: false,
      });
      await waitFor(
        () => leader.logsMatching(/lost the leader lease/),
        (lines) => lines.length === 1,
        { what: 'the woken dispatcher to log that it lost the lease' },
      );

      const views = await waitFor(
        () => taskReader(cluster)(taskIds),
        (vs) => vs.every((v) => v.state === 'succeeded' || v.state === 'failed'),
        { timeoutMs: 120_000, intervalMs: 250, what: '1000 tasks to finish' },
      );
      expect(views.filter((v) => v.state !== 'succeeded').map((v) => v.id)).toEqual([]);
      expect(attemptHistoryViolations(views)).toEqual([]);
      // it never led again: one term at start, and the leader is still the other one
      expect(leader.logsMatching(/leading with epoch/)).toHaveLength(1);
      expect((await clusterAsSeenBy(cluster, standby)).leader).toBe(standbyId);
    },
    PATIENCE_MS,
  );
});
